package imports

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/cognate-idp/cognate/internal/cognito"
	"github.com/cognate-idp/cognate/internal/model"
	"github.com/cognate-idp/cognate/internal/store"
	"github.com/cognate-idp/cognate/internal/userpool/core"
)

// Upload stores the CSV file of a job that is still Created, replacing
// the one uploaded before, if any. token is the one of its PreSignedUrl.
func (s *Service) Upload(ctx context.Context, poolID, jobID, token string, file []byte) error {
	want := s.uploadToken(poolID, jobID)
	if len(token) != len(want) || !hmacEqual(token, want) {
		return cognito.New(cognito.NotAuthorized, "The upload URL is not valid.")
	}
	if len(file) > MaxFileSize {
		return cognito.Errorf(cognito.InvalidParameter, "The CSV file is larger than %d bytes.", MaxFileSize)
	}
	return s.Store.Update(ctx, func(tx store.Tx) error {
		doc, _, _, err := s.loadJob(tx, poolID, jobID)
		if err != nil {
			return err
		}
		if doc.Status != statusCreated {
			return cognito.Errorf(cognito.PreconditionNotMet, "The job is %s: a file can be uploaded only before it starts.", doc.Status)
		}
		now := s.Now().UTC()
		it := store.Item{PoolID: poolID, Kind: csvKind, ID: jobID, Created: now, Modified: now, Data: file}
		err = tx.CreateItem(it)
		if errors.Is(err, store.ErrConflict) {
			err = tx.PutItem(it)
		}
		return err
	})
}

// StartUserImportJob starts importing the uploaded file of a Created job.
//
// Unconfirmed: the message of PreconditionNotMetException for a job that
// is not Created, and that a job without a file starts and then fails
// (as an import of an S3 object that does not exist would).
func (s *Service) StartUserImportJob(ctx context.Context, in *model.StartUserImportJobRequest) (*model.StartUserImportJobResponse, error) {
	poolID, jobID := model.StringValue(in.UserPoolId), model.StringValue(in.JobId)
	// s.mu is not held here: loadJob takes it to tell a stale job.
	doc, err := s.updateJob(ctx, poolID, jobID, func(d *jobDoc) error {
		if d.Status != statusCreated {
			return cognito.Errorf(cognito.PreconditionNotMet, "The job is %s: only a Created job can be started.", d.Status)
		}
		d.Status, d.Started = statusPending, s.Now().UTC()
		return nil
	})
	if cognito.IsCode(err, cognito.PreconditionNotMet) {
		// An expired job is saved as Expired before the error is told.
		_, _ = s.readJob(ctx, poolID, jobID)
	}
	if err != nil {
		return nil, err
	}
	// The job was written just now, so it is not stale before this.
	s.mu.Lock()
	s.running[runKey(poolID, jobID)] = true
	s.mu.Unlock()
	s.wg.Add(1)
	go s.run(poolID, jobID)
	j := s.view(poolID, jobID, doc)
	return &model.StartUserImportJobResponse{UserImportJob: &j}, nil
}

// StopUserImportJob asks a Pending or InProgress job to stop: it is
// Stopping until the batch being imported is done, then Stopped.
func (s *Service) StopUserImportJob(ctx context.Context, in *model.StopUserImportJobRequest) (*model.StopUserImportJobResponse, error) {
	poolID, jobID := model.StringValue(in.UserPoolId), model.StringValue(in.JobId)
	doc, err := s.updateJob(ctx, poolID, jobID, func(d *jobDoc) error {
		if d.Status != statusPending && d.Status != statusInProgress {
			// Unconfirmed: the message.
			return cognito.Errorf(cognito.PreconditionNotMet, "The job is %s: only a Pending or InProgress job can be stopped.", d.Status)
		}
		d.Status = statusStopping
		return nil
	})
	if err != nil {
		return nil, err
	}
	j := s.view(poolID, jobID, doc)
	return &model.StopUserImportJobResponse{UserImportJob: &j}, nil
}

// run imports a started job's file; it is the job's one writer while it
// runs.
func (s *Service) run(poolID, jobID string) {
	defer s.wg.Done()
	defer func() {
		s.mu.Lock()
		delete(s.running, runKey(poolID, jobID))
		s.mu.Unlock()
	}()
	err := s.process(s.ctx, poolID, jobID)
	if err == nil {
		return
	}
	msg := "The import stopped on an internal error."
	if s.ctx.Err() != nil {
		msg = "The import was interrupted: the server stopped while it ran."
	} else {
		s.Log.Error("user import failed", "pool", poolID, "job", jobID, "error", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if ferr := s.finish(ctx, poolID, jobID, statusFailed, msg); ferr != nil {
		s.Log.Error("user import: cannot mark the job failed", "pool", poolID, "job", jobID, "error", ferr)
	}
}

// finish ends a job that has not ended yet with status and message.
func (s *Service) finish(ctx context.Context, poolID, jobID, status, message string) error {
	_, err := s.updateJob(ctx, poolID, jobID, func(d *jobDoc) error {
		if !d.finished() {
			d.Status, d.Message, d.Completed = status, message, s.Now().UTC()
		}
		return nil
	})
	return err
}

// process reads and checks the file, then imports its rows batch by batch.
func (s *Service) process(ctx context.Context, poolID, jobID string) error {
	var p *core.Pool
	var file []byte
	err := s.Store.View(ctx, func(tx store.Tx) error {
		var err error
		if p, err = s.LoadPool(tx, poolID); err != nil {
			return err
		}
		it, err := tx.GetItem(poolID, csvKind, jobID)
		if core.IsNotFound(err) {
			return nil
		}
		file = it.Data
		return err
	})
	if err != nil {
		return err
	}
	if file == nil {
		// Unconfirmed: the message.
		return s.finish(ctx, poolID, jobID, statusFailed, "No CSV file was uploaded to the job's PreSignedUrl.")
	}
	f, err := parseFile(p, file)
	if err != nil {
		return s.finish(ctx, poolID, jobID, statusFailed, err.Error())
	}
	total := int64(len(f.rows))
	for {
		var done bool
		var rows []*preparedRow
		doc, err := s.readJob(ctx, poolID, jobID)
		if err != nil {
			return err
		}
		end := min(doc.Done+batchSize, total)
		for i := doc.Done; i < end; i++ {
			rows = append(rows, s.prepareRow(p, f, int(i)))
		}
		err = s.Store.Update(ctx, func(tx store.Tx) error {
			d, _, _, err := s.loadJob(tx, poolID, jobID)
			if err != nil {
				return err
			}
			now := s.Now().UTC()
			switch {
			case d.finished():
				done = true
				return nil
			case d.Status == statusStopping:
				// Unconfirmed: Cognito's CompletionMessage of a stopped job.
				// Unconfirmed: that the rows not reached count as skipped.
				d.Status, d.Completed, d.Skipped = statusStopped, now, total-d.Done
				d.Message = "The import was stopped."
				done = true
			default:
				d.Status = statusInProgress
				for _, r := range rows {
					r.err = r.prepErr
					if r.err == nil {
						r.err = s.users.CreateImported(tx, p, r.user)
					}
					if r.err == nil {
						d.Imported++
						continue
					}
					if !isRowError(r.err) {
						return r.err
					}
					d.Failed++
				}
				d.Done = end
				if end == total {
					// Unconfirmed: Cognito's CompletionMessage of a
					// finished job.
					d.Status, d.Completed, done = statusSucceeded, now, true
					d.Message = fmt.Sprintf("Import finished: %d users imported, %d failed.", d.Imported, d.Failed)
				}
			}
			_, err = s.PutItemDoc(tx, poolID, jobKind, jobID, d)
			return err
		})
		if err != nil {
			return err
		}
		for _, r := range rows {
			if r.err != nil {
				s.Log.Info("user import: row not imported", "pool", poolID, "job", jobID, "line", r.line, "username", r.username, "error", r.err)
			}
		}
		if done {
			return nil
		}
	}
}

// isRowError reports whether err is a reason to fail one row, not the job.
func isRowError(err error) bool {
	_, ok := cognito.As(err)
	return ok
}
