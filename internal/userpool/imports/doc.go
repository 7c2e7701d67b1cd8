// Package imports implements user import jobs: GetCSVHeader, the job
// operations and the processing of the uploaded CSV file.
//
// A job is a store item of kind "import-job"; the uploaded file is an item
// of kind "import-csv" with the job's ID, so that every node of a
// PostgreSQL deployment sees it and DeletePool removes it. The file is
// uploaded with a plain PUT to the job's PreSignedUrl, which Cognate
// serves itself (package server) and signs with a key derived from the
// server secret.
//
// StartUserImportJob runs the import in a goroutine of this process. The
// users of each batch of rows are created in one transaction, with the
// job's counters, through the checks of AdminCreateUser (package users).
// A job whose process stopped (a restart, a crash) stops being written
// to: once its item is older than staleAfter and no goroutine here runs
// it, reading it marks it Failed. It is not resumed.
//
// The package knows nothing of HTTP.
package imports
