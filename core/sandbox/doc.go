// Package sandbox emulates the three Gan Jing World hosts in process, so the
// engine can be tested end to end and the app can be tried without an account.
//
//	API()   gw.ganjingworld.com     token refresh, get-vod-token, add-content,
//	                                update-content, upload-id (raw access token)
//	Image() imgapi.cloudokyo.cloud  POST /api/v2/image and the stored images
//	                                (Bearer upload token for the upload)
//	VOD()   vodapi.cloudokyo.cloud  TUS at /api/v1/tus/upload (real tusd with a
//	                                filestore), /api/v1/status/<video_id> and the
//	                                HLS playlists (Bearer upload token)
//
// The emulator is deliberately strict: it enforces every rule of the two
// upload guides (docs in /work/shared/specs) that a real server could check,
// so it cannot hide a client bug. Where the guides are silent it picks the
// stricter reading; each such choice is noted on the handler that makes it.
//
// Files under Config.Dir:
//
//	tus/<upload id>        bytes received by tusd (its filestore layout)
//	tus/<upload id>.info   tusd's upload metadata
//	images/<image id>      the original bytes of each uploaded image
//
// Everything else (tokens, contents, videos, faults, counters) lives in memory
// behind one mutex, so a Server is safe for concurrent use and forgets its
// state when closed.
//
// Tests inject failures with Inject (a status code, or a connection dropped
// after K request-body bytes), expire or revoke tokens, fail transcoding, and
// switch between the response shapes the guides say a client must accept.
package sandbox
