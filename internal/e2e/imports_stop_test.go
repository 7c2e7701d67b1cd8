package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/cognate-idp/cognate/internal/store"
	"github.com/cognate-idp/cognate/internal/store/sqlite"
	"github.com/cognate-idp/cognate/internal/testserver"
)

// bigImport returns a file of n good users for e's pool.
func (e *env) bigImport(t *testing.T, n int) []byte {
	t.Helper()
	h, err := e.s.Client.GetCSVHeader(context.Background(), &cip.GetCSVHeaderInput{UserPoolId: aws.String(e.pool)})
	noErr(t, err)
	rows := make([]map[string]string, n)
	for i := range rows {
		name := fmt.Sprintf("u%06d", i)
		rows[i] = map[string]string{"cognito:username": name, "name": name, "email": name + "@example.com", "email_verified": "true"}
	}
	return importCSV(t, h.CSVHeader, rows)
}

// startJob uploads file to a new job and starts it.
func (e *env) startJob(t *testing.T, file []byte) string {
	t.Helper()
	job := e.createJob(t, "big")
	if got := putFile(t, aws.ToString(job.PreSignedUrl), file); got != http.StatusOK {
		t.Fatalf("upload: status %d", got)
	}
	out, err := e.s.Client.StartUserImportJob(context.Background(), &cip.StartUserImportJobInput{UserPoolId: aws.String(e.pool), JobId: job.JobId})
	noErr(t, err)
	if out.UserImportJob.Status != types.UserImportJobStatusTypePending {
		t.Errorf("started job is %s, want Pending", out.UserImportJob.Status)
	}
	return aws.ToString(job.JobId)
}

func TestUserImportStop(t *testing.T) {
	t.Parallel()
	e := newEnv(t, importPool(), nil)
	const n = 20_000
	id := e.startJob(t, e.bigImport(t, n))
	out, err := e.s.Client.StopUserImportJob(context.Background(), &cip.StopUserImportJobInput{UserPoolId: aws.String(e.pool), JobId: aws.String(id)})
	noErr(t, err)
	if out.UserImportJob.Status != types.UserImportJobStatusTypeStopping {
		t.Errorf("stopped job is %s, want Stopping", out.UserImportJob.Status)
	}
	job := e.waitJob(t, id, 60*time.Second)
	if job.Status != types.UserImportJobStatusTypeStopped || job.SkippedUsers == 0 ||
		job.ImportedUsers+job.FailedUsers+job.SkippedUsers != n || job.CompletionDate == nil {
		t.Errorf("job = %s imported %d failed %d skipped %d", job.Status, job.ImportedUsers, job.FailedUsers, job.SkippedUsers)
	}
}

// TestUserImportInterrupted: a job whose server stopped is Failed once
// read, after a restart as after a crash (the job left InProgress).
func TestUserImportInterrupted(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	e := newEnv(t, importPool(), nil, testserver.WithDataDir(dir))
	id := e.startJob(t, e.bigImport(t, 50_000))
	e.s.Close()

	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(dir, "cognate.db"), sqlite.Options{})
	noErr(t, err)
	var status string
	noErr(t, st.Update(ctx, func(tx store.Tx) error {
		it, err := tx.GetItem(e.pool, "import-job", id)
		if err != nil {
			return err
		}
		doc := map[string]any{}
		if err := json.Unmarshal(it.Data, &doc); err != nil {
			return err
		}
		status = doc["status"].(string)
		// As a crash leaves it: still running.
		doc["status"], doc["message"] = "InProgress", ""
		it.Data, _ = json.Marshal(doc)
		return tx.PutItem(it)
	}))
	noErr(t, st.Close())
	if status != "Failed" {
		t.Errorf("after a clean stop the job is %s, want Failed", status)
	}

	e.s = testserver.Start(t, testserver.WithDataDir(dir))
	describe := func() *types.UserImportJobType {
		out, err := e.s.Client.DescribeUserImportJob(ctx, &cip.DescribeUserImportJobInput{UserPoolId: aws.String(e.pool), JobId: aws.String(id)})
		noErr(t, err)
		return out.UserImportJob
	}
	e.s.Clock.Advance(3 * time.Minute)
	_, err = e.s.Client.StartUserImportJob(ctx, &cip.StartUserImportJobInput{UserPoolId: aws.String(e.pool), JobId: aws.String(id)})
	testserver.WantError[*types.PreconditionNotMetException](t, err, "The job is Failed: only a Created job can be started.")
	job := describe()
	if job.Status != types.UserImportJobStatusTypeFailed || !strings.Contains(aws.ToString(job.CompletionMessage), "interrupted") {
		t.Errorf("after restart the job is %s %q, want Failed, interrupted", job.Status, aws.ToString(job.CompletionMessage))
	}
	if got := describe(); got.Status != types.UserImportJobStatusTypeFailed {
		t.Errorf("read again: %s", got.Status)
	}
}
