package gjw

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"sync"

	"github.com/gjw-uploader/gjw-uploader/persist"
)

// ImageStore remembers uploaded images by content hash.
type ImageStore interface {
	PutImage(persist.Image) error
	Image(sha256 string) (persist.Image, bool, error)
}

// UploadImageOnce uploads the image at path unless the same bytes were
// uploaded before to the same image host, and returns its CDN URLs.
func UploadImageOnce(ctx context.Context, c *Client, store ImageStore, path string) ([]string, error) {
	return uploadImage(ctx, c, store, path, false)
}

// UploadImageAgain uploads the image at path even when store remembers
// URLs for it, and remembers the new ones in their place: the platform
// refused the remembered URLs (a CDN purge, a restarted sandbox), so they
// are never sent again.
func UploadImageAgain(ctx context.Context, c *Client, store ImageStore, path string) ([]string, error) {
	return uploadImage(ctx, c, store, path, true)
}

// ContentRefused reports whether a content call (add-content,
// update-content) was refused for what it carried (400 or 422): when it
// carried remembered image URLs, uploading the images again may cure it.
func ContentRefused(err error) bool {
	var e *Error
	return errors.As(err, &e) && (e.Status == http.StatusBadRequest || e.Status == http.StatusUnprocessableEntity)
}

func uploadImage(ctx context.Context, c *Client, store ImageStore, path string, again bool) ([]string, error) {
	sum, err := fileSHA256(path)
	if err != nil {
		return nil, fmt.Errorf("image %q cannot be read: check the path", path)
	}
	unlock := imageLocks.lock(sum)
	defer unlock()
	if img, ok, err := store.Image(sum); !again && err == nil && ok && img.Host == c.Hosts.Image && len(img.URLs) > 0 {
		return img.URLs, nil
	}
	urls, err := c.UploadImage(ctx, path)
	if err != nil {
		return nil, err
	}
	return urls, store.PutImage(persist.Image{SHA256: sum, Host: c.Hosts.Image, URLs: urls})
}

// imageLocks serialises uploads of the same bytes, so two uploads sharing a
// poster (or an article's picture dropped twice) send it once.
var imageLocks keyedMutex

// keyedMutex is a set of mutexes by key, each dropped when unused.
type keyedMutex struct {
	mu    sync.Mutex
	locks map[string]*keyedLock
}

type keyedLock struct {
	sync.Mutex
	users int
}

// lock locks key and returns its unlock.
func (k *keyedMutex) lock(key string) (unlock func()) {
	k.mu.Lock()
	if k.locks == nil {
		k.locks = map[string]*keyedLock{}
	}
	l := k.locks[key]
	if l == nil {
		l = &keyedLock{}
		k.locks[key] = l
	}
	l.users++
	k.mu.Unlock()
	l.Lock()
	return func() {
		l.Unlock()
		k.mu.Lock()
		if l.users--; l.users == 0 {
			delete(k.locks, key)
		}
		k.mu.Unlock()
	}
}

func fileSHA256(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
