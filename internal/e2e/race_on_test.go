//go:build race

package e2e

// raceDetector says the tests run with -race, which makes bulk work
// several times slower.
const raceDetector = true
