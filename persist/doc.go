// Package persist stores GJW Uploader's state in a Badger database in the
// app's data folder. It knows nothing of HTTP or of the upload pipeline's
// rules: it saves and loads records, and nothing else.
//
// # Data folder
//
// DefaultDir is $GJW_DATA_DIR, or else gjw-uploader under the user's config
// folder (os.UserConfigDir). Open creates it with mode 0700 and tightens an
// existing one to 0700, because it holds the creator's platform session.
//
// Badger takes an exclusive lock on the folder (the LOCK file records the
// holder's PID). A second process opening the same folder, or a second Open
// in the same process, fails at once with an error that matches
// ErrAlreadyRunning. Badger's read-only mode is no way around it: it takes a
// shared lock, which the read-write holder's exclusive one refuses.
//
// So that `gjw jobs` still works while the app runs, the holder keeps a
// snapshot of every job in jobs-snapshot.json (mode 0600, beside the
// database): written on Open, after job writes and deletes (at most once a
// second, replaced atomically by a rename), and removed on Close while the
// lock is still held. ReadSnapshot reads it; it refuses a snapshot whose PID
// is not the one Badger wrote in the LOCK file (on Unix), one left by a
// process that was killed while another holder, keeping none, has the folder.
//
// # Key layout
//
// Every value is a JSON object whose "v" field is the record format
// (RecordVersion). Writes set it; a read that meets a larger "v" fails with
// ErrNewerVersion rather than misreading a newer release's record.
//
//	job/<job ID>       Job: one video upload and its step results
//	tus/<job ID>       {"v":1,"url":"..."}: release 1's TUS upload URL of a job;
//	                   migrate.go moves it into the job's checkpoint
//	credentials        Credentials: the v1 single platform session; core/account
//	                   migrates it into account/gjw on open and deletes it
//	account/<name>     Account: one destination account (platform, default
//	                   flag, GJW channel); never a secret
//	secret/<name>      Secret: that account's secrets, only when the system
//	                   keyring is unavailable (the folder is owner-only)
//	secretstore        SecretStore: this folder's id in the system keyring
//	settings           Settings: the app's preferences
//	watchfolders       {"v":2,"folders":[WatchFolder...]}: the app's watch folders
//	draft/<draft ID>   Draft: an article, and after publishing its content ID
//	image/<sha256>     Image: CDN URLs of an uploaded image, keyed by the
//	                   hex SHA-256 of its bytes (use lower case: the key is
//	                   taken as given)
//	watched/<sha256>   Watched: a file a watch folder queued, keyed by the hex
//	                   SHA-256 of its identity (path, size, mtime, hash of its
//	                   first and last MiB), with its job ID
//
// DeleteJob removes both job/<id> and tus/<id> in one transaction, and
// DeleteAccount both account/<name> and secret/<name>. IDs are
// opaque to this package, but must not be empty.
//
// # Durability
//
// Badger runs with SyncWrites on, so every Put and Delete is on disk (the
// write-ahead log is msync'ed) when it returns. That survives both a kill -9
// of the process and a power cut. Job records are written after every
// acknowledged chunk and after every step, a few writes per second at most.
// BenchmarkPutJob measured a synced PutJob at about 1.3 ms on an ext4 VM
// disk, against about 0.1 ms unsynced: well under 1% of a second at that
// rate, so the stronger guarantee is worth it. Credentials in particular
// must be durable: a rotated refresh token is stored before it is used.
// OpenInMemory has no disk and so nothing to sync.
//
// # Tuning
//
// Badger's defaults suit a server. The options in badgerOptions suit a
// desktop app holding a few thousand small records: 8 MiB memtables (two of
// them), a 4 MiB block cache and a 2 MiB index cache, two compactors,
// 16 MiB value-log files, one version per key, metrics off, and a logger that
// keeps only warnings and errors. Values under 1 MiB (every record in
// practice) live in the LSM tree, so compaction reclaims overwritten job
// records; larger values go to the value log, which is garbage-collected on
// Open, every ten minutes, and on Close. No single value may exceed 16 MiB.
// Measured: opening a folder and writing 200 jobs adds about 4 MB of RSS.
package persist
