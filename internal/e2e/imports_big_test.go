package e2e

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
)

// TestUserImport100k imports a file of 100,000 users and checks that
// every one arrived, and that a sample is RESET_REQUIRED with its
// attributes. The speed is measured by bench -import, not here. It takes
// about 15 s, over a minute with -race, where it is skipped (the smaller
// import tests run there).
func TestUserImport100k(t *testing.T) {
	if testing.Short() || raceDetector {
		t.Skip("imports 100,000 users: not with -short or -race")
	}
	t.Parallel()
	e := newEnv(t, importPool(), nil)
	const n = 100_000
	job := e.runJob(t, e.bigImport(t, n))
	if job.Status != types.UserImportJobStatusTypeSucceeded || job.ImportedUsers != n || job.FailedUsers != 0 {
		t.Fatalf("job = %s imported %d failed %d (%s)", job.Status, job.ImportedUsers, job.FailedUsers, *job.CompletionMessage)
	}
	for _, name := range []string{"u000000", "u054321", "u099999"} {
		status, attrs, err := e.adminUser(name)
		noErr(t, err)
		if status != string(types.UserStatusTypeResetRequired) || attrs["email"] != name+"@example.com" || attrs["email_verified"] != "true" {
			t.Errorf("%s: %s %v", name, status, attrs)
		}
	}
}
