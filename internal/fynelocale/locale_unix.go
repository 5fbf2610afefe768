//go:build !windows && !darwin && !js && !android

package fynelocale

import (
	"os"
	"strings"

	"golang.org/x/text/language"
)

func init() {
	if value, ok := languageFix(os.Getenv); ok {
		os.Setenv("LANGUAGE", value)
	}
}

// languageFix returns the LANGUAGE value that gives Fyne a usable locale,
// and false when the environment needs no change. It follows go-locale
// on Unix, which takes the first of LC_ALL, LC_MESSAGES and LANG that is
// set. When that is exactly C or POSIX, there is no locale and nothing to
// fix. Otherwise LANGUAGE, a colon-separated list, wins when it is set.
func languageFix(getenv func(string) string) (string, bool) {
	locale := ""
	for _, name := range []string{"LC_ALL", "LC_MESSAGES", "LANG"} {
		if locale = getenv(name); locale != "" {
			break
		}
	}
	if locale == "C" || locale == "POSIX" {
		return "", false
	}
	list := locale
	if languages := getenv("LANGUAGE"); languages != "" {
		list = languages
	}
	if list == "" {
		return "", false
	}

	var usable []string
	for _, entry := range strings.Split(list, ":") {
		if validTag(entry) {
			usable = append(usable, entry)
		}
	}
	if len(usable) == len(strings.Split(list, ":")) {
		return "", false
	}
	if len(usable) == 0 {
		return "en", true
	}
	return strings.Join(usable, ":"), true
}

// validTag reports whether go-locale turns entry, such as "de_DE.UTF-8",
// into a tag that golang.org/x/text/language parses. go-locale drops the
// encoding after the first dot and joins language and territory with a
// hyphen.
func validTag(entry string) bool {
	tag, _, _ := strings.Cut(entry, ".")
	tag = strings.ReplaceAll(tag, "-", "_")
	lang, territory, _ := strings.Cut(tag, "_")
	if territory != "" {
		lang += "-" + territory
	}
	_, err := language.Parse(lang)
	return err == nil
}
