package imports

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"regexp"
	"time"

	"github.com/cognate-idp/cognate/internal/cognito"
	"github.com/cognate-idp/cognate/internal/model"
	"github.com/cognate-idp/cognate/internal/store"
	"github.com/cognate-idp/cognate/internal/userpool/core"
)

// UploadPath is where the PreSignedUrl of a job points, below the
// server's public URL: UploadPath + poolID + "/" + jobID + "?token=...".
const UploadPath = "/_cognate/import/"

// jobDoc is a stored import job.
type jobDoc struct {
	Name      string    `json:"name"`
	RoleArn   string    `json:"role"`
	Status    string    `json:"status"`
	Created   time.Time `json:"created"`
	Started   time.Time `json:"started,omitzero"`
	Completed time.Time `json:"completed,omitzero"`
	Imported  int64     `json:"imported"`
	Skipped   int64     `json:"skipped"`
	Failed    int64     `json:"failed"`
	// Done is how many data rows were dealt with, the next batch's start.
	Done    int64  `json:"done"`
	Message string `json:"message,omitempty"`
}

func (d *jobDoc) finished() bool {
	switch d.Status {
	case statusStopped, statusFailed, statusSucceeded, statusExpired:
		return true
	}
	return false
}

// view is the job as the API shows it.
func (s *Service) view(poolID, jobID string, d *jobDoc) model.UserImportJobType {
	t := func(v time.Time) *model.Time {
		if v.IsZero() {
			return nil
		}
		return &model.Time{Time: v}
	}
	j := model.UserImportJobType{
		JobName: model.String(d.Name), JobId: model.String(jobID), UserPoolId: model.String(poolID),
		PreSignedUrl:   model.String(s.uploadURL(poolID, jobID)),
		CreationDate:   t(d.Created),
		StartDate:      t(d.Started),
		CompletionDate: t(d.Completed),
		Status:         model.String(d.Status),
		ImportedUsers:  &d.Imported, SkippedUsers: &d.Skipped, FailedUsers: &d.Failed,
	}
	if d.RoleArn != "" {
		j.CloudWatchLogsRoleArn = model.String(d.RoleArn)
	}
	if d.Message != "" {
		j.CompletionMessage = model.String(d.Message)
	}
	return j
}

func (s *Service) uploadURL(poolID, jobID string) string {
	return s.PublicURL + UploadPath + url.PathEscape(poolID) + "/" + url.PathEscape(jobID) +
		"?token=" + s.uploadToken(poolID, jobID)
}

var jobIDPattern = regexp.MustCompile(`^import-[0-9a-zA-Z-]+$`)

// loadJob reads a job of a pool that exists and brings its status up to
// date: a Created job past expireAfter is Expired, a running job nobody
// writes to any more is Failed. changed says the returned doc differs
// from the stored one.
func (s *Service) loadJob(tx store.Tx, poolID, jobID string) (doc *jobDoc, it store.Item, changed bool, err error) {
	if _, err := s.LoadPool(tx, poolID); err != nil {
		return nil, it, false, err
	}
	doc = &jobDoc{}
	it, found, err := core.GetItemDoc(tx, poolID, jobKind, jobID, doc)
	if err != nil {
		return nil, it, false, err
	}
	if !found || !jobIDPattern.MatchString(jobID) {
		// Unconfirmed: the message.
		return nil, it, false, cognito.New(cognito.ResourceNotFound, "Job not found.")
	}
	return doc, it, s.refresh(poolID, jobID, doc, it.Modified), nil
}

// refresh applies the status changes that happen by the passing of time.
func (s *Service) refresh(poolID, jobID string, d *jobDoc, modified time.Time) bool {
	now := s.Now().UTC()
	switch d.Status {
	case statusCreated:
		if now.Sub(d.Created) > expireAfter {
			d.Status, d.Completed = statusExpired, now
			return true
		}
	case statusPending, statusInProgress, statusStopping:
		if now.Sub(modified) > staleAfter && !s.isRunning(poolID, jobID) {
			d.Status, d.Completed = statusFailed, now
			d.Message = "The import was interrupted: the server stopped while it ran."
			return true
		}
	}
	return false
}

// GetCSVHeader returns the columns of an import file for the pool: its
// attributes in schema order (without sub and identities), then
// cognito:mfa_enabled and cognito:username.
func (s *Service) GetCSVHeader(ctx context.Context, in *model.GetCSVHeaderRequest) (*model.GetCSVHeaderResponse, error) {
	poolID := model.StringValue(in.UserPoolId)
	var p *core.Pool
	err := s.Store.View(ctx, func(tx store.Tx) error {
		var err error
		p, err = s.LoadPool(tx, poolID)
		return err
	})
	if err != nil {
		return nil, err
	}
	return &model.GetCSVHeaderResponse{UserPoolId: model.String(poolID), CSVHeader: csvHeader(p)}, nil
}

func csvHeader(p *core.Pool) []string {
	var h []string
	for _, a := range p.Cfg.SchemaAttributes {
		name := model.StringValue(a.Name)
		if name == "sub" || name == "identities" {
			continue
		}
		h = append(h, name)
	}
	return append(h, colMFA, colUsername)
}

// The columns of an import file that are not attributes.
const (
	colMFA      = "cognito:mfa_enabled"
	colUsername = "cognito:username"
)

// CreateUserImportJob creates a job in status Created, waiting for its
// file at PreSignedUrl.
func (s *Service) CreateUserImportJob(ctx context.Context, in *model.CreateUserImportJobRequest) (*model.CreateUserImportJobResponse, error) {
	poolID := model.StringValue(in.UserPoolId)
	suffix, err := core.RandomString(s.Random, core.Alnum, 10)
	if err != nil {
		return nil, err
	}
	// The model's pattern is import-[0-9a-zA-Z-]+. Unconfirmed: that
	// Cognito's suffix is 10 alphanumerics.
	jobID := "import-" + suffix
	doc := &jobDoc{Name: model.StringValue(in.JobName), RoleArn: model.StringValue(in.CloudWatchLogsRoleArn),
		Status: statusCreated, Created: s.Now().UTC()}
	err = s.Store.Update(ctx, func(tx store.Tx) error {
		if _, err := s.LoadPool(tx, poolID); err != nil {
			return err
		}
		_, err := s.PutItemDoc(tx, poolID, jobKind, jobID, doc)
		return err
	})
	if err != nil {
		return nil, err
	}
	j := s.view(poolID, jobID, doc)
	return &model.CreateUserImportJobResponse{UserImportJob: &j}, nil
}

// DescribeUserImportJob returns a job with its progress.
func (s *Service) DescribeUserImportJob(ctx context.Context, in *model.DescribeUserImportJobRequest) (*model.DescribeUserImportJobResponse, error) {
	poolID, jobID := model.StringValue(in.UserPoolId), model.StringValue(in.JobId)
	doc, err := s.readJob(ctx, poolID, jobID)
	if err != nil {
		return nil, err
	}
	j := s.view(poolID, jobID, doc)
	return &model.DescribeUserImportJobResponse{UserImportJob: &j}, nil
}

// readJob loads a job, saving the status refresh gave it.
func (s *Service) readJob(ctx context.Context, poolID, jobID string) (*jobDoc, error) {
	var doc *jobDoc
	changed := false
	err := s.Store.View(ctx, func(tx store.Tx) error {
		var err error
		doc, _, changed, err = s.loadJob(tx, poolID, jobID)
		return err
	})
	if err != nil || !changed {
		return doc, err
	}
	return s.updateJob(ctx, poolID, jobID, func(*jobDoc) error { return nil })
}

// updateJob loads a job (refreshed), applies fn and saves it.
func (s *Service) updateJob(ctx context.Context, poolID, jobID string, fn func(*jobDoc) error) (*jobDoc, error) {
	var doc *jobDoc
	err := s.Store.Update(ctx, func(tx store.Tx) error {
		var err error
		if doc, _, _, err = s.loadJob(tx, poolID, jobID); err != nil {
			return err
		}
		if err := fn(doc); err != nil {
			return err
		}
		_, err = s.PutItemDoc(tx, poolID, jobKind, jobID, doc)
		return err
	})
	return doc, err
}

// ListUserImportJobs lists a pool's jobs in job ID order.
//
// Unconfirmed: the order Cognito lists jobs in, and the form of its
// pagination token (here the last job ID of the page).
func (s *Service) ListUserImportJobs(ctx context.Context, in *model.ListUserImportJobsRequest) (*model.ListUserImportJobsResponse, error) {
	poolID := model.StringValue(in.UserPoolId)
	limit := int(model.Int32Value(in.MaxResults))
	after := model.StringValue(in.PaginationToken)
	var items []store.Item
	err := s.Store.View(ctx, func(tx store.Tx) error {
		if _, err := s.LoadPool(tx, poolID); err != nil {
			return err
		}
		var err error
		items, err = tx.ListItems(poolID, jobKind, after, limit+1)
		return err
	})
	if err != nil {
		return nil, err
	}
	out := &model.ListUserImportJobsResponse{UserImportJobs: []model.UserImportJobType{}}
	if len(items) > limit {
		items = items[:limit]
		out.PaginationToken = model.String(items[limit-1].ID)
	}
	for _, it := range items {
		doc := &jobDoc{}
		if err := json.Unmarshal(it.Data, doc); err != nil {
			return nil, fmt.Errorf("import job %s: %w", it.ID, err)
		}
		s.refresh(poolID, it.ID, doc, it.Modified)
		out.UserImportJobs = append(out.UserImportJobs, s.view(poolID, it.ID, doc))
	}
	return out, nil
}
