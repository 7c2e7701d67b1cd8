package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/cognate-idp/cognate/internal/model"
)

// benchImport measures a user import job of n users (-import N): it
// creates a fresh pool with email auto-verified, writes a CSV file with
// GetCSVHeader's columns (username, name, email verified, custom:tier),
// uploads it to the PreSignedUrl, starts the job and polls it. The
// figure is users imported per second from StartUserImportJob to
// Succeeded; upload time is printed apart. Every row must import.
func benchImport(ctx context.Context, api *apiClient, n int, stdout io.Writer) error {
	var pool model.CreateUserPoolResponse
	err := api.call(ctx, "CreateUserPool", &model.CreateUserPoolRequest{
		PoolName: model.String("bench-import"), AutoVerifiedAttributes: []string{"email"},
		Schema: []model.SchemaAttributeType{{Name: model.String("tier"), AttributeDataType: model.String("String"), Mutable: model.Bool(true)}},
	}, &pool)
	if err != nil {
		return err
	}
	poolID := pool.UserPool.Id
	var h model.GetCSVHeaderResponse
	if err := api.call(ctx, "GetCSVHeader", &model.GetCSVHeaderRequest{UserPoolId: poolID}, &h); err != nil {
		return err
	}
	t0 := time.Now()
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	_ = w.Write(h.CSVHeader)
	rec := make([]string, len(h.CSVHeader))
	for i := range n {
		name := userName(i)
		for j, c := range h.CSVHeader {
			switch c {
			case "cognito:username":
				rec[j] = name
			case "name":
				rec[j] = "Bench " + strconv.Itoa(i)
			case "email":
				rec[j] = userEmail(name)
			case "email_verified":
				rec[j] = "true"
			case "custom:tier":
				rec[j] = "gold"
			case "cognito:mfa_enabled":
				rec[j] = "false"
			default:
				rec[j] = ""
			}
		}
		_ = w.Write(rec)
	}
	w.Flush()
	if err := w.Error(); err != nil {
		return err
	}
	var job model.CreateUserImportJobResponse
	err = api.call(ctx, "CreateUserImportJob", &model.CreateUserImportJobRequest{UserPoolId: poolID,
		JobName: model.String("bench"), CloudWatchLogsRoleArn: model.String("arn:aws:iam::123456789012:role/CognitoImport")}, &job)
	if err != nil {
		return err
	}
	t1 := time.Now()
	req, err := http.NewRequestWithContext(ctx, http.MethodPut, model.StringValue(job.UserImportJob.PreSignedUrl), bytes.NewReader(buf.Bytes()))
	if err != nil {
		return err
	}
	resp, err := api.hc.Do(req)
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("upload: HTTP %d", resp.StatusCode)
	}
	fmt.Fprintf(stdout, "import: %d users, CSV %.1f MB built in %v, uploaded in %v\n", n, float64(buf.Len())/1e6,
		t1.Sub(t0).Round(time.Millisecond), time.Since(t1).Round(time.Millisecond))
	ids := &model.DescribeUserImportJobRequest{UserPoolId: poolID, JobId: job.UserImportJob.JobId}
	start := time.Now()
	if err := api.call(ctx, "StartUserImportJob", &model.StartUserImportJobRequest{UserPoolId: poolID, JobId: ids.JobId}, nil); err != nil {
		return err
	}
	for {
		var d model.DescribeUserImportJobResponse
		if err := api.call(ctx, "DescribeUserImportJob", ids, &d); err != nil {
			return err
		}
		j := d.UserImportJob
		switch model.StringValue(j.Status) {
		case "Succeeded":
			took := time.Since(start)
			imported, failed := deref(j.ImportedUsers), deref(j.FailedUsers)
			fmt.Fprintf(stdout, "import: %d imported, %d failed in %v: %.0f users/s\n", imported, failed,
				took.Round(time.Millisecond), float64(imported)/took.Seconds())
			if imported != int64(n) {
				return fmt.Errorf("import: %d of %d users imported", imported, n)
			}
			return nil
		case "Failed", "Stopped", "Expired":
			return fmt.Errorf("import job %s: %s", model.StringValue(j.Status), model.StringValue(j.CompletionMessage))
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}

func deref(p *int64) int64 {
	if p == nil {
		return 0
	}
	return *p
}
