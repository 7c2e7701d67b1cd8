package lambdafake

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
)

// HandlerFunc answers one invocation of a function: the status code, extra
// headers (e.g. X-Amz-Function-Error) and the body to send back.
type HandlerFunc func(event []byte) (status int, header http.Header, body []byte)

// Server is a fake Lambda endpoint. Functions without a handler answer 404
// ResourceNotFoundException like the real API.
type Server struct {
	// URL is the endpoint to give to the Lambda client (http://127.0.0.1:port).
	URL string

	srv      *httptest.Server
	mu       sync.Mutex
	handlers map[string]HandlerFunc
	events   map[string][][]byte
}

// New starts a fake Lambda endpoint; Close stops it.
func New() *Server {
	s := &Server{handlers: map[string]HandlerFunc{}, events: map[string][][]byte{}}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /2015-03-31/functions/{name}/invocations", s.invoke)
	s.srv = httptest.NewServer(mux)
	s.URL = s.srv.URL
	return s
}

// Handle scripts function (name or ARN, exactly as the client sends it).
func (s *Server) Handle(function string, h func(event []byte) (status int, header http.Header, body []byte)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.handlers[function] = h
}

// Events returns copies of the events function received, oldest first.
// Invocations of functions without a handler are recorded too.
func (s *Server) Events(function string) [][]byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([][]byte, 0, len(s.events[function]))
	for _, e := range s.events[function] {
		out = append(out, append([]byte(nil), e...))
	}
	return out
}

// Close shuts the server down, waiting for running handlers to return.
func (s *Server) Close() { s.srv.Close() }

func (s *Server) invoke(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	body, err := io.ReadAll(r.Body)
	if err != nil {
		writeAPIError(w, http.StatusBadRequest, "InvalidRequestContentException", "could not read request body")
		return
	}
	if t := r.Header.Get("X-Amz-Invocation-Type"); t != "" && t != "RequestResponse" {
		writeAPIError(w, http.StatusBadRequest, "InvalidParameterValueException", "fake supports only RequestResponse invocations")
		return
	}
	s.mu.Lock()
	s.events[name] = append(s.events[name], body)
	h := s.handlers[name]
	s.mu.Unlock()
	if h == nil {
		writeAPIError(w, http.StatusNotFound, "ResourceNotFoundException", "Function not found: "+name)
		return
	}
	status, header, out := h(body)
	for k, vs := range header {
		for _, v := range vs {
			w.Header().Add(k, v)
		}
	}
	if w.Header().Get("Content-Type") == "" {
		w.Header().Set("Content-Type", "application/json")
	}
	if status == 0 {
		status = http.StatusOK
	}
	w.WriteHeader(status)
	_, _ = w.Write(out)
}

// writeAPIError answers like the Lambda API: the code in X-Amzn-ErrorType
// and a {"Type","message"} body.
func writeAPIError(w http.ResponseWriter, status int, code, message string) {
	status, header, body := APIError(status, code, message)(nil)
	for k, vs := range header {
		w.Header()[k] = vs
	}
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// Echo answers 200 with the event after edit changed its decoded form
// (edit may be nil). An event that is not a JSON object is echoed as is.
func Echo(edit func(event map[string]any)) HandlerFunc {
	return func(event []byte) (int, http.Header, []byte) {
		var m map[string]any
		if err := json.Unmarshal(event, &m); err != nil {
			return http.StatusOK, nil, event
		}
		if edit != nil {
			edit(m)
		}
		out, err := json.Marshal(m)
		if err != nil {
			return http.StatusOK, nil, event
		}
		return http.StatusOK, nil, out
	}
}

// FunctionError answers like a function that threw: 200, header
// X-Amz-Function-Error: Unhandled and {"errorMessage","errorType"}.
func FunctionError(errorType, message string) HandlerFunc {
	return func([]byte) (int, http.Header, []byte) {
		body, _ := json.Marshal(map[string]string{"errorMessage": message, "errorType": errorType})
		return http.StatusOK, http.Header{"X-Amz-Function-Error": {"Unhandled"}}, body
	}
}

// APIError answers like a failed Invoke call (not found, access denied,
// throttled): status, the code in X-Amzn-ErrorType and a JSON body.
func APIError(status int, code, message string) HandlerFunc {
	return func([]byte) (int, http.Header, []byte) {
		body, _ := json.Marshal(map[string]string{"Type": "User", "message": message})
		return status, http.Header{
			"X-Amzn-Errortype": {code},
			"Content-Type":     {"application/json"},
		}, body
	}
}

// Raw answers 200 with body as the function's output (garbage, null, ...).
func Raw(body []byte) HandlerFunc {
	return func([]byte) (int, http.Header, []byte) { return http.StatusOK, nil, body }
}

// Blocking answers like Raw, but only after release is closed: a function
// slower than the caller's deadline. Close release before Close.
func Blocking(release <-chan struct{}, body []byte) HandlerFunc {
	return func([]byte) (int, http.Header, []byte) {
		<-release
		return http.StatusOK, nil, body
	}
}
