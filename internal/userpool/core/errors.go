package core

import (
	"errors"

	"github.com/cognate-idp/cognate/internal/store"
)

// MapStoreErr turns storage errors that carry meaning into Cognito errors.
func MapStoreErr(err error, notFound error) error {
	if errors.Is(err, store.ErrNotFound) {
		return notFound
	}
	return err
}

func IsNotFound(err error) bool { return errors.Is(err, store.ErrNotFound) }
