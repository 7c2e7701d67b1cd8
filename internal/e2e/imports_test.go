package e2e

import (
	"bytes"
	"context"
	"encoding/csv"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/cognate-idp/cognate/internal/testserver"
)

const importRole = "arn:aws:iam::123456789012:role/CognitoImport"

// importPool is a pool whose users sign in with a username, with email
// auto-verified, name required and a custom attribute.
func importPool() *cip.CreateUserPoolInput {
	return &cip.CreateUserPoolInput{
		AutoVerifiedAttributes: []types.VerifiedAttributeType{"email"},
		Schema: []types.SchemaAttributeType{
			{Name: aws.String("name"), AttributeDataType: "String", Required: aws.Bool(true), Mutable: aws.Bool(true)},
			{Name: aws.String("tier"), AttributeDataType: "String", Mutable: aws.Bool(true)},
		},
	}
}

// importCSV writes a file with header and one row per map (absent
// columns are empty).
func importCSV(t *testing.T, header []string, rows []map[string]string) []byte {
	t.Helper()
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	noErr(t, w.Write(header))
	for _, r := range rows {
		rec := make([]string, len(header))
		for i, c := range header {
			rec[i] = r[c]
		}
		noErr(t, w.Write(rec))
	}
	w.Flush()
	noErr(t, w.Error())
	return b.Bytes()
}

// putFile uploads body to url as `curl -T` does and returns the status.
func putFile(t *testing.T, url string, body []byte) int {
	t.Helper()
	req, err := http.NewRequest(http.MethodPut, url, bytes.NewReader(body))
	noErr(t, err)
	req.Header.Set("x-amz-server-side-encryption", "aws:kms")
	res, err := http.DefaultTransport.RoundTrip(req)
	noErr(t, err)
	res.Body.Close()
	return res.StatusCode
}

// createJob creates an import job in the env's pool.
func (e *env) createJob(t *testing.T, name string) *types.UserImportJobType {
	t.Helper()
	out, err := e.s.Client.CreateUserImportJob(context.Background(), &cip.CreateUserImportJobInput{
		UserPoolId: aws.String(e.pool), JobName: aws.String(name), CloudWatchLogsRoleArn: aws.String(importRole)})
	noErr(t, err)
	return out.UserImportJob
}

// runJob uploads file to a new job, starts it and waits for it to end.
func (e *env) runJob(t *testing.T, file []byte) *types.UserImportJobType {
	t.Helper()
	job := e.createJob(t, "import")
	if got := putFile(t, aws.ToString(job.PreSignedUrl), file); got != http.StatusOK {
		t.Fatalf("upload: status %d", got)
	}
	_, err := e.s.Client.StartUserImportJob(context.Background(), &cip.StartUserImportJobInput{UserPoolId: aws.String(e.pool), JobId: job.JobId})
	noErr(t, err)
	// A guard against a hung job, not a speed check: a loaded machine
	// can take minutes for the 100,000-user file.
	return e.waitJob(t, aws.ToString(job.JobId), 5*time.Minute)
}

// waitJob polls DescribeUserImportJob until the job has ended.
func (e *env) waitJob(t *testing.T, jobID string, limit time.Duration) *types.UserImportJobType {
	t.Helper()
	deadline := time.Now().Add(limit)
	for {
		out, err := e.s.Client.DescribeUserImportJob(context.Background(), &cip.DescribeUserImportJobInput{UserPoolId: aws.String(e.pool), JobId: aws.String(jobID)})
		noErr(t, err)
		switch out.UserImportJob.Status {
		case types.UserImportJobStatusTypeSucceeded, types.UserImportJobStatusTypeFailed, types.UserImportJobStatusTypeStopped, types.UserImportJobStatusTypeExpired:
			return out.UserImportJob
		}
		if time.Now().After(deadline) {
			t.Fatalf("job %s still %s", jobID, out.UserImportJob.Status)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestUserImport(t *testing.T) {
	t.Parallel()
	e := newEnv(t, importPool(), nil)
	ctx := context.Background()
	h, err := e.s.Client.GetCSVHeader(ctx, &cip.GetCSVHeaderInput{UserPoolId: aws.String(e.pool)})
	noErr(t, err)
	header := h.CSVHeader
	wantHeader := "name,given_name,family_name,middle_name,nickname,preferred_username,profile,picture,website,email,email_verified,gender,birthdate,zoneinfo,locale,phone_number,phone_number_verified,address,updated_at,custom:tier,cognito:mfa_enabled,cognito:username"
	if got := strings.Join(header, ","); got != wantHeader {
		t.Fatalf("CSVHeader = %s\nwant %s", got, wantHeader)
	}
	e.s.User(t, e.pool, "erin", "name", "Erin")

	t.Run("rows", func(t *testing.T) {
		file := importCSV(t, header, []map[string]string{
			{"cognito:username": "alice", "name": "Alice", "email": "alice@example.com", "email_verified": "TRUE", "custom:tier": "gold", "cognito:mfa_enabled": "false"},
			{"cognito:username": "bob", "name": "Bob", "email": "not-an-email", "email_verified": "true"},
			{"cognito:username": "carol", "email": "carol@example.com", "email_verified": "true"},
			{"cognito:username": "alice", "name": "Alice Again", "email": "alice2@example.com", "email_verified": "true"},
			{"cognito:username": "dave", "name": "Dave", "email": "dave@example.com", "email_verified": "false"},
			{"cognito:username": "erin", "name": "Erin", "email": "erin@example.com", "email_verified": "true"},
			{"cognito:username": "", "name": "Nobody", "email": "nobody@example.com", "email_verified": "true"},
			{"cognito:username": "frank", "name": "Frank, Jr.", "email": "frank@example.com", "email_verified": "true", "cognito:mfa_enabled": "maybe"},
			{"cognito:username": "grace", "name": "Grace, \"G\"", "email": "grace@example.com", "email_verified": "true"},
		})
		job := e.runJob(t, file)
		if job.Status != types.UserImportJobStatusTypeSucceeded || job.ImportedUsers != 2 ||
			job.FailedUsers != 7 || job.SkippedUsers != 0 {
			t.Fatalf("job = %s imported %d failed %d skipped %d (%s)", job.Status, job.ImportedUsers,
				job.FailedUsers, job.SkippedUsers, aws.ToString(job.CompletionMessage))
		}
		if job.StartDate == nil || job.CompletionDate == nil || aws.ToString(job.CloudWatchLogsRoleArn) != importRole {
			t.Errorf("job dates or role missing: %+v", job)
		}
		status, attrs, err := e.adminUser("alice")
		noErr(t, err)
		if status != string(types.UserStatusTypeResetRequired) {
			t.Errorf("alice status = %s, want RESET_REQUIRED", status)
		}
		wantEntries(t, "alice", attrs, map[string]string{"name": "Alice", "email": "alice@example.com", "email_verified": "true", "custom:tier": "gold"})
		wantEntries(t, "grace", e.adminAttrs(t, "grace"), map[string]string{"name": `Grace, "G"`})
		for _, absent := range []string{"bob", "carol", "dave", "frank"} {
			_, _, err := e.adminUser(absent)
			testserver.WantError[*types.UserNotFoundException](t, err, "User does not exist.")
		}
		if _, attrs, _ := e.adminUser("erin"); attrs["email"] != "" {
			t.Errorf("existing erin was changed: %v", attrs)
		}
	})

	t.Run("reset then sign in", func(t *testing.T) {
		// An imported user has no password: sign-in asks for the reset.
		testserver.WantError[*types.PasswordResetRequiredException](t, e.signInErr("alice"), "Password reset required for the user")
		_, err := srpInitiate(t, e.s, e.pool, e.client, "alice", false, nil)
		testserver.WantError[*types.PasswordResetRequiredException](t, err, "Password reset required for the user")
		_, err = e.s.Client.ForgotPassword(ctx, &cip.ForgotPasswordInput{ClientId: aws.String(e.client), Username: aws.String("alice")})
		noErr(t, err)
		code := e.s.LastCode(t, e.pool, "alice", "email")
		_, err = e.s.Client.ConfirmForgotPassword(ctx, &cip.ConfirmForgotPasswordInput{ClientId: aws.String(e.client),
			Username: aws.String("alice"), ConfirmationCode: aws.String(code), Password: aws.String(testserver.Password)})
		noErr(t, err)
		noErr(t, e.signInErr("alice"))
		_, err = e.s.Client.AdminSetUserPassword(ctx, &cip.AdminSetUserPasswordInput{UserPoolId: aws.String(e.pool),
			Username: aws.String("grace"), Password: aws.String(testserver.Password), Permanent: true})
		noErr(t, err)
		noErr(t, e.signInErr("grace"))
	})

	t.Run("bad files", func(t *testing.T) {
		full := strings.Join(header, ",")
		for _, c := range []struct{ name, file, want string }{
			{"unknown column", full + ",bogus\n", `"bogus"`},
			{"missing column", strings.Replace(full, "custom:tier,", "", 1) + "\n", `"custom:tier"`},
			{"duplicate column", full + ",name\n", `"name" twice`},
			{"empty", "", "empty"},
			{"bare quote", full + "\n" + `x"y` + strings.Repeat(",", len(header)-1) + "\n", "malformed"},
		} {
			t.Run(c.name, func(t *testing.T) {
				job := e.runJob(t, []byte(c.file))
				if job.Status != types.UserImportJobStatusTypeFailed || !strings.Contains(aws.ToString(job.CompletionMessage), c.want) {
					t.Errorf("job = %s %q, want Failed with %s", job.Status, aws.ToString(job.CompletionMessage), c.want)
				}
				if job.ImportedUsers != 0 {
					t.Errorf("imported %d users", job.ImportedUsers)
				}
			})
		}
	})

	t.Run("no file", func(t *testing.T) {
		job := e.createJob(t, "nofile")
		_, err := e.s.Client.StartUserImportJob(ctx, &cip.StartUserImportJobInput{UserPoolId: aws.String(e.pool), JobId: job.JobId})
		noErr(t, err)
		got := e.waitJob(t, aws.ToString(job.JobId), 10*time.Second)
		if got.Status != types.UserImportJobStatusTypeFailed || !strings.Contains(aws.ToString(got.CompletionMessage), "No CSV file") {
			t.Errorf("job = %s %q", got.Status, aws.ToString(got.CompletionMessage))
		}
		_, err = e.s.Client.StartUserImportJob(ctx, &cip.StartUserImportJobInput{UserPoolId: aws.String(e.pool), JobId: job.JobId})
		testserver.WantError[*types.PreconditionNotMetException](t, err, "The job is Failed: only a Created job can be started.")
		_, err = e.s.Client.StopUserImportJob(ctx, &cip.StopUserImportJobInput{UserPoolId: aws.String(e.pool), JobId: job.JobId})
		testserver.WantError[*types.PreconditionNotMetException](t, err, "The job is Failed: only a Pending or InProgress job can be stopped.")
		if got := putFile(t, aws.ToString(job.PreSignedUrl), []byte(strings.Join(header, ","))); got != http.StatusConflict {
			t.Errorf("upload to a finished job: status %d, want 409", got)
		}
	})

	t.Run("upload URL", func(t *testing.T) {
		job := e.createJob(t, "url")
		u := aws.ToString(job.PreSignedUrl)
		if !strings.HasPrefix(u, e.s.URL+"/_cognate/import/"+e.pool+"/"+aws.ToString(job.JobId)+"?token=") {
			t.Errorf("PreSignedUrl = %s", u)
		}
		other := e.createJob(t, "other")
		forged := strings.Replace(u, aws.ToString(job.JobId), aws.ToString(other.JobId), 1)
		if got := putFile(t, forged, []byte("x")); got != http.StatusForbidden {
			t.Errorf("upload with another job's token: status %d, want 403", got)
		}
		if got := putFile(t, u[:len(u)-2], []byte("x")); got != http.StatusForbidden {
			t.Errorf("upload with a cut token: status %d, want 403", got)
		}
		if job.Status != types.UserImportJobStatusTypeCreated || job.ImportedUsers != 0 {
			t.Errorf("new job = %+v", job)
		}
	})

	t.Run("unknown", func(t *testing.T) {
		_, err := e.s.Client.DescribeUserImportJob(ctx, &cip.DescribeUserImportJobInput{UserPoolId: aws.String(e.pool), JobId: aws.String("import-nothere")})
		testserver.WantError[*types.ResourceNotFoundException](t, err, "Job not found.")
		_, err = e.s.Client.GetCSVHeader(ctx, &cip.GetCSVHeaderInput{UserPoolId: aws.String("us-east-1_nothere")})
		testserver.WantError[*types.ResourceNotFoundException](t, err, "User pool us-east-1_nothere does not exist.")
	})
}

func TestUserImportListAndExpiry(t *testing.T) {
	t.Parallel()
	e := newEnv(t, importPool(), nil)
	ctx := context.Background()
	made := map[string]bool{}
	for range 5 {
		made[aws.ToString(e.createJob(t, "job").JobId)] = true
	}
	seen := map[string]bool{}
	var token *string
	pages := 0
	for {
		out, err := e.s.Client.ListUserImportJobs(ctx, &cip.ListUserImportJobsInput{UserPoolId: aws.String(e.pool), MaxResults: aws.Int32(2), PaginationToken: token})
		noErr(t, err)
		pages++
		for _, j := range out.UserImportJobs {
			seen[aws.ToString(j.JobId)] = true
			if j.Status != types.UserImportJobStatusTypeCreated {
				t.Errorf("%s is %s", aws.ToString(j.JobId), j.Status)
			}
		}
		if token = out.PaginationToken; token == nil {
			break
		}
	}
	if pages != 3 || len(seen) != 5 {
		t.Errorf("%d pages, %d jobs; want 3 and 5", pages, len(seen))
	}
	e.s.Clock.Advance(25 * time.Hour)
	for id := range made {
		_, err := e.s.Client.StartUserImportJob(ctx, &cip.StartUserImportJobInput{UserPoolId: aws.String(e.pool), JobId: aws.String(id)})
		testserver.WantError[*types.PreconditionNotMetException](t, err, "The job is Expired: only a Created job can be started.")
		out, err := e.s.Client.DescribeUserImportJob(ctx, &cip.DescribeUserImportJobInput{UserPoolId: aws.String(e.pool), JobId: aws.String(id)})
		noErr(t, err)
		if out.UserImportJob.Status != types.UserImportJobStatusTypeExpired {
			t.Errorf("after 25 h %s is %s, want Expired", id, out.UserImportJob.Status)
		}
		break
	}
}
