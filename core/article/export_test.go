package article

// Equivalent is equivalent, for the external tests.
var Equivalent = equivalent
