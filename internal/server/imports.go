package server

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"

	"github.com/cognate-idp/cognate/internal/cognito"
)

// ImportPath is the prefix of the PreSignedUrl of user import jobs (the
// userpool's imports.UploadPath).
const ImportPath = "/_cognate/import/"

// maxImportFile bounds an uploaded CSV file (Cognito documents 100 MB).
const maxImportFile = 100 << 20

// Imports receives the CSV file of a user import job.
type Imports interface {
	UploadImport(ctx context.Context, poolID, jobID, token string, file []byte) error
}

// importUpload serves PUT ImportPath{pool}/{job}?token=..., the upload
// the PreSignedUrl of a job allows, as S3 does for a pre-signed PUT: a
// plain `curl -T users.csv URL` works, and extra headers such as
// x-amz-server-side-encryption are ignored. Errors are JSON
// {"message": ...} with 403 (bad token), 404 (no such job), 409 (the job
// has started or expired) or 413, where S3 would answer with XML.
func importUpload(im Imports, log *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxImportFile))
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			writeJSON(w, http.StatusRequestEntityTooLarge, map[string]string{"message": "The CSV file is larger than 100 MB."})
			return
		}
		if err != nil {
			writeJSON(w, http.StatusBadRequest, map[string]string{"message": "The upload was cut short."})
			return
		}
		err = im.UploadImport(r.Context(), r.PathValue("pool"), r.PathValue("job"), r.URL.Query().Get("token"), body)
		if err == nil {
			w.WriteHeader(http.StatusOK)
			return
		}
		status := http.StatusInternalServerError
		msg := "Internal server error"
		if ce, ok := cognito.As(err); ok {
			msg = ce.Message
			switch ce.Code {
			case cognito.NotAuthorized:
				status = http.StatusForbidden
			case cognito.ResourceNotFound:
				status = http.StatusNotFound
			case cognito.PreconditionNotMet:
				status = http.StatusConflict
			default:
				status = http.StatusBadRequest
			}
		} else {
			log.Error("import upload", "pool", r.PathValue("pool"), "job", r.PathValue("job"), "error", err)
		}
		writeJSON(w, status, map[string]string{"message": msg})
	})
}
