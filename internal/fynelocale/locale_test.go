//go:build !windows && !darwin && !js && !android

package fynelocale

import "testing"

func TestLanguageFix(t *testing.T) {
	cases := []struct {
		name   string
		env    map[string]string
		want   string
		change bool
	}{
		{name: "nothing set", env: nil},
		{name: "LANG=C", env: map[string]string{"LANG": "C"}},
		{name: "LANG=POSIX", env: map[string]string{"LANG": "POSIX"}},
		{name: "LANG=en_US.UTF-8", env: map[string]string{"LANG": "en_US.UTF-8"}},
		{name: "LANG=C.UTF-8", env: map[string]string{"LANG": "C.UTF-8"}, want: "en", change: true},
		{name: "LC_ALL=C.utf8 over LANG", env: map[string]string{"LC_ALL": "C.utf8", "LANG": "de_DE.UTF-8"}, want: "en", change: true},
		{name: "modifier", env: map[string]string{"LANG": "de_DE@euro"}, want: "en", change: true},
		{name: "LANGUAGE usable", env: map[string]string{"LANG": "C.UTF-8", "LANGUAGE": "fr_FR:de"}},
		{name: "LANGUAGE partly usable", env: map[string]string{"LANG": "C.UTF-8", "LANGUAGE": "fr_FR:C"}, want: "fr_FR", change: true},
		{name: "LANGUAGE ignored under C", env: map[string]string{"LANG": "C", "LANGUAGE": "C.UTF-8"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, change := languageFix(func(name string) string { return c.env[name] })
			if change != c.change {
				t.Errorf("languageFix changes LANGUAGE: %v, expected %v", change, c.change)
			}
			if got != c.want {
				t.Errorf("languageFix = %q, expected %q", got, c.want)
			}
		})
	}
}
