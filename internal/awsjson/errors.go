package awsjson

import (
	"encoding/json"
	"net/http"

	"github.com/cognate-idp/cognate/internal/cognito"
)

// errorBody is the JSON body of every error response.
type errorBody struct {
	Type    string `json:"__type"`
	Message string `json:"message"`
}

// Status returns the HTTP status Cognate sends for an exception: the real
// service was observed to answer 400 for every client error, so only server
// faults get 500.
func Status(code cognito.Code) int {
	switch code {
	case cognito.InternalError, "InternalServerException":
		return http.StatusInternalServerError
	}
	return http.StatusBadRequest
}

// errorReply is the one function that turns an error into a wire answer.
// Errors that are not Cognito exceptions are logged and become an opaque
// InternalErrorException, so nothing internal leaks to the client.
func (e *Edge) errorReply(reqID, op string, err error) Reply {
	var typ, msg string
	var status int
	if ce, ok := cognito.As(err); ok {
		typ, msg, status = string(ce.Code), ce.Message, Status(ce.Code)
	} else if we, ok := err.(*wireError); ok {
		typ, msg, status = we.Type, we.Message, we.Status
	} else {
		e.log.Error("operation failed", "request_id", reqID, "operation", op, "error", err)
		typ, msg, status = string(cognito.InternalError), "Internal server error.", http.StatusInternalServerError
	}
	buf, _ := json.Marshal(errorBody{Type: typ, Message: msg})
	return Reply{Status: status, RequestID: reqID, ErrorType: typ, ErrorMsg: msg, Body: buf, headerSafe: isHeaderSafe(msg), op: op}
}

// isHeaderSafe reports whether s can travel in an HTTP header unchanged.
func isHeaderSafe(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c > 0x7e {
			return false
		}
	}
	return true
}
