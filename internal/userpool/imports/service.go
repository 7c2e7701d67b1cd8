package imports

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"sync"
	"time"

	"github.com/cognate-idp/cognate/internal/userpool/core"
	"github.com/cognate-idp/cognate/internal/userpool/users"
)

// Store item kinds of this area.
const (
	jobKind = "import-job"
	csvKind = "import-csv"
)

// The statuses of a job, as in UserImportJobStatusType.
const (
	statusCreated    = "Created"
	statusPending    = "Pending"
	statusInProgress = "InProgress"
	statusStopping   = "Stopping"
	statusStopped    = "Stopped"
	statusFailed     = "Failed"
	statusSucceeded  = "Succeeded"
	statusExpired    = "Expired"
)

const (
	// expireAfter is how long a job waits in Created for StartUserImportJob.
	//
	// Unconfirmed: Cognito's documentation says a job not started expires;
	// the delay is a guess.
	expireAfter = 24 * time.Hour
	// staleAfter is how long a running job may go without writing its
	// item before it counts as interrupted; a batch takes far less.
	staleAfter = 2 * time.Minute
	// MaxFileSize bounds the uploaded CSV file.
	//
	// Unconfirmed: Cognito's documented limit is 100 MB.
	MaxFileSize = 100 << 20
	// batchSize is how many rows are imported per transaction.
	batchSize = 500
)

// Service implements the user import operations.
type Service struct {
	*core.Env
	users     *users.Service
	uploadKey []byte

	ctx     context.Context
	cancel  context.CancelFunc
	wg      sync.WaitGroup
	mu      sync.Mutex
	running map[string]bool // pool/job of the jobs this process runs
}

// New returns a Service; uploadKey signs the upload URLs.
func New(env *core.Env, us *users.Service, uploadKey []byte) *Service {
	ctx, cancel := context.WithCancel(context.Background())
	return &Service{Env: env, users: us, uploadKey: uploadKey, ctx: ctx, cancel: cancel, running: map[string]bool{}}
}

// Close stops the running imports and waits for them. A job cut short
// is marked Failed.
func (s *Service) Close() {
	s.cancel()
	s.wg.Wait()
}

// uploadToken is the signature that lets the holder of a PreSignedUrl
// upload the file of one job. It does not expire; the job does (see
// expireAfter). Unconfirmed: how long Cognito's S3 pre-signed URL lasts.
func (s *Service) uploadToken(poolID, jobID string) string {
	m := hmac.New(sha256.New, s.uploadKey)
	m.Write([]byte(poolID + "/" + jobID))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

func runKey(poolID, jobID string) string { return poolID + "/" + jobID }

func (s *Service) isRunning(poolID, jobID string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.running[runKey(poolID, jobID)]
}
