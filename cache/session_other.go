//go:build !linux

package cache

import (
	"context"
	"errors"
)

// LogindWatcher exists only on Linux; elsewhere Watch reports that no
// session signals are available and the idle timeout alone applies.
type LogindWatcher struct{}

// Watch implements SessionWatcher.
func (LogindWatcher) Watch(context.Context, func(SessionEvent)) error {
	return errors.New("cache: sleep and screen-lock signals are not watched on this OS")
}
