package main

// The values of coursectl's flags that are more than a string or a number:
// each says, when it cannot parse, what to write instead.

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/coursectl/coursectl/course"
	"github.com/coursectl/coursectl/iostreams"
)

// shard is --shard K/N: the K-th (1-based) of N slices.
type shard struct{ k, n int }

func (s *shard) String() string {
	if s.n == 0 {
		return ""
	}
	return fmt.Sprintf("%d/%d", s.k, s.n)
}

func (s *shard) Type() string { return "K/N" }

func (s *shard) Set(v string) error {
	ks, ns, ok := strings.Cut(v, "/")
	k, err1 := strconv.Atoi(ks)
	n, err2 := strconv.Atoi(ns)
	if !ok || err1 != nil || err2 != nil || n < 1 || k < 1 || k > n {
		return fmt.Errorf("want K/N with 1 <= K <= N, like 2/4")
	}
	s.k, s.n = k, n
	return nil
}

// pick returns the modules of this shard. Sorted paths are dealt out in
// turn (the i-th goes to shard i mod N), so every machine of a CI matrix
// computes the same slices and the slices differ in size by at most one.
func (s shard) pick(paths []string) []string {
	if s.n == 0 {
		return paths
	}
	var out []string
	for i, p := range paths {
		if i%s.n == s.k-1 {
			out = append(out, p)
		}
	}
	return out
}

// durationFlag is a time.Duration flag whose error says what to write.
type durationFlag time.Duration

func (d *durationFlag) String() string { return course.ShortDuration(time.Duration(*d)) }

func (d *durationFlag) Type() string { return "duration" }

func (d *durationFlag) Set(v string) error {
	x, err := time.ParseDuration(v)
	if err != nil {
		return errors.New("want a duration like 30s, 2m or 1h30m")
	}
	*d = durationFlag(x)
	return nil
}

// colorMode is --color's value, checked as it is parsed.
type colorMode struct{ mode *string }

func (m *colorMode) String() string {
	if m.mode == nil {
		return ""
	}
	return *m.mode
}

func (m *colorMode) Set(v string) error {
	switch v {
	case "auto", "always", "never":
		*m.mode = v
		return nil
	}
	return fmt.Errorf("want %s", iostreams.ColorModes)
}

func (m *colorMode) Type() string { return "mode" }

// debounceFlag is watch's --debounce: a duration, zero allowed.
type debounceFlag struct{ d *time.Duration }

func (f *debounceFlag) String() string {
	if f.d == nil {
		return ""
	}
	return course.ShortDuration(*f.d)
}

func (f *debounceFlag) Type() string { return "duration" }

func (f *debounceFlag) Set(v string) error {
	d, err := time.ParseDuration(v)
	if err != nil || d < 0 {
		return errors.New("want a duration like 50ms or 1s")
	}
	*f.d = d
	return nil
}
