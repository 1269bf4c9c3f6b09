package persist

import (
	"cmp"
	"errors"
	"slices"
	"time"
)

// Key prefixes and single keys; the package comment describes the layout.
const (
	jobPrefix      = "job/"
	tusPrefix      = "tus/"
	draftPrefix    = "draft/"
	imagePrefix    = "image/"
	credentialsKey = "credentials"
	settingsKey    = "settings"
)

// PutJob stores j under its ID, setting Version to RecordVersion and
// UpdatedAt to now. It is on disk when PutJob returns.
func (d *DB) PutJob(j Job) error {
	if j.ID == "" {
		return errors.New("persist: job has no ID")
	}
	j.Version = RecordVersion
	j.UpdatedAt = time.Now()
	if err := d.put(jobPrefix+j.ID, j); err != nil {
		return err
	}
	d.jobsChanged()
	return nil
}

// Job loads one job; ok is false when there is none with that ID.
func (d *DB) Job(id string) (j Job, ok bool, err error) {
	ok, err = d.get(jobPrefix+id, &j)
	return j, ok, err
}

// Jobs loads every job, sorted by Position, then CreatedAt, then ID. One
// record written by a newer release fails the whole call (ErrNewerVersion).
func (d *DB) Jobs() ([]Job, error) {
	var jobs []Job
	if err := scan(d, jobPrefix, func(j Job) { jobs = append(jobs, j) }); err != nil {
		return nil, err
	}
	slices.SortFunc(jobs, func(a, b Job) int {
		if c := cmp.Compare(a.Position, b.Position); c != 0 {
			return c
		}
		if c := a.CreatedAt.Compare(b.CreatedAt); c != 0 {
			return c
		}
		return cmp.Compare(a.ID, b.ID)
	})
	return jobs, nil
}

// DeleteJob removes a job and its TUS store entry. Deleting a job that does
// not exist is not an error.
func (d *DB) DeleteJob(id string) error {
	if id == "" {
		return errors.New("persist: job has no ID")
	}
	if err := d.del(jobPrefix + id); err != nil {
		return err
	}
	d.jobsChanged()
	return nil
}

// PutCredentials stores the platform session, setting Version. It is on
// disk when PutCredentials returns, so a rotated refresh token can be used
// right after.
func (d *DB) PutCredentials(c Credentials) error {
	c.Version = RecordVersion
	return d.put(credentialsKey, c)
}

// Credentials loads the platform session; ok is false when signed out.
func (d *DB) Credentials() (c Credentials, ok bool, err error) {
	ok, err = d.get(credentialsKey, &c)
	return c, ok, err
}

// DeleteCredentials forgets the platform session (sign out).
func (d *DB) DeleteCredentials() error {
	return d.del(credentialsKey)
}

// PutSettings stores the preferences, setting Version.
func (d *DB) PutSettings(s Settings) error {
	s.Version = RecordVersion
	return d.put(settingsKey, s)
}

// Settings loads the preferences, or zero Settings when none are stored.
func (d *DB) Settings() (Settings, error) {
	var s Settings
	if _, err := d.get(settingsKey, &s); err != nil {
		return Settings{}, err
	}
	return s, nil
}

// PutDraft stores an article under its ID, setting Version. Its timestamps
// are stored as given.
func (d *DB) PutDraft(dr Draft) error {
	if dr.ID == "" {
		return errors.New("persist: draft has no ID")
	}
	dr.Version = RecordVersion
	return d.put(draftPrefix+dr.ID, dr)
}

// Draft loads one draft; ok is false when there is none with that ID.
func (d *DB) Draft(id string) (dr Draft, ok bool, err error) {
	ok, err = d.get(draftPrefix+id, &dr)
	return dr, ok, err
}

// Drafts loads every draft, newest UpdatedAt first (ties by ID).
func (d *DB) Drafts() ([]Draft, error) {
	var drafts []Draft
	if err := scan(d, draftPrefix, func(dr Draft) { drafts = append(drafts, dr) }); err != nil {
		return nil, err
	}
	slices.SortFunc(drafts, func(a, b Draft) int {
		if c := b.UpdatedAt.Compare(a.UpdatedAt); c != 0 {
			return c
		}
		return cmp.Compare(a.ID, b.ID)
	})
	return drafts, nil
}

// DeleteDraft removes a draft. Deleting one that does not exist is not an
// error.
func (d *DB) DeleteDraft(id string) error {
	if id == "" {
		return errors.New("persist: draft has no ID")
	}
	return d.del(draftPrefix + id)
}

// PutImage records an uploaded image under its SHA-256, setting Version.
func (d *DB) PutImage(img Image) error {
	if img.SHA256 == "" {
		return errors.New("persist: image has no SHA-256")
	}
	img.Version = RecordVersion
	return d.put(imagePrefix+img.SHA256, img)
}

// Image loads an uploaded image by the SHA-256 of its bytes; ok is false
// when it has not been uploaded.
func (d *DB) Image(sha256 string) (img Image, ok bool, err error) {
	ok, err = d.get(imagePrefix+sha256, &img)
	return img, ok, err
}
