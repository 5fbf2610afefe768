// Package lookalike finds domain names that imitate known ones: one or
// two typing errors, swapped letters, confusable Unicode characters and
// punycode, another top-level domain, and extra hyphens or words.
package lookalike

import (
	"fmt"
	"strings"

	"golang.org/x/net/idna"
	"golang.org/x/net/publicsuffix"
)

// Class is the way one domain imitates another.
type Class int

const (
	// Confusable: the domains look the same once confusable characters
	// are mapped, for example a Cyrillic "а" in place of a Latin "a".
	Confusable Class = iota + 1
	// OtherTLD: the same name under another public suffix.
	OtherTLD
	// Hyphenation: the same name with hyphens added or removed.
	Hyphenation
	// ExtraWords: the known name with words added, or the known domain
	// used as a subdomain of another one.
	ExtraWords
	// EditDistance: one or two typing errors, a swap of two adjacent
	// letters counting as one.
	EditDistance
	// MixedScript: a label mixes Latin, Cyrillic or Greek letters. It is
	// reported even when no known domain resembles the name.
	MixedScript
)

func (c Class) String() string {
	switch c {
	case Confusable:
		return "confusable characters"
	case OtherTLD:
		return "another top-level domain"
	case Hyphenation:
		return "hyphens added or removed"
	case ExtraWords:
		return "extra words"
	case EditDistance:
		return "typing error"
	case MixedScript:
		return "mixed scripts"
	default:
		return "unknown class"
	}
}

// Domain is one parsed domain name.
type Domain struct {
	ASCII   string // lower-case A-label form, as sent over SMTP
	Unicode string // lower-case U-label form, as a person reads it
	// Site is the registrable domain (public suffix plus one label) in
	// Unicode form, and Name is Site without its public suffix.
	Site   string
	Name   string
	Suffix string

	// Skeletons of Site, Name and Name without hyphens, computed once
	// because Compare needs them for every pair.
	siteSkeleton, nameSkeleton, joinedSkeleton string
}

// IsIDN reports whether the domain has a non-ASCII form, in which case
// its ASCII form has punycode labels ("xn--").
func (d Domain) IsIDN() bool { return d.ASCII != d.Unicode }

// Parse parses a domain name written in ASCII, punycode or Unicode.
func Parse(domain string) (Domain, error) {
	domain = strings.TrimSuffix(strings.TrimSpace(domain), ".")
	if domain == "" {
		return Domain{}, fmt.Errorf("lookalike: missing domain name; write the address as name@domain")
	}
	ascii, err := idna.Lookup.ToASCII(domain)
	if err != nil {
		return Domain{}, fmt.Errorf("lookalike: invalid domain %q: %w; check the spelling of the address", domain, err)
	}
	ascii = strings.ToLower(ascii)
	unicode, err := idna.Lookup.ToUnicode(ascii)
	if err != nil {
		return Domain{}, fmt.Errorf("lookalike: invalid domain %q: %w; check the spelling of the address", domain, err)
	}

	site, err := publicsuffix.EffectiveTLDPlusOne(ascii)
	if err != nil {
		// A bare public suffix or a single label: treat it as its own site.
		site = ascii
	}
	suffix, _ := publicsuffix.PublicSuffix(site)
	siteUnicode, _ := idna.Lookup.ToUnicode(site)
	suffixUnicode, _ := idna.Lookup.ToUnicode(suffix)
	name := strings.TrimSuffix(strings.TrimSuffix(siteUnicode, suffixUnicode), ".")

	return Domain{
		ASCII: ascii, Unicode: unicode, Site: siteUnicode, Name: name, Suffix: suffixUnicode,
		siteSkeleton:   Skeleton(siteUnicode),
		nameSkeleton:   Skeleton(name),
		joinedSkeleton: Skeleton(strings.ReplaceAll(name, "-", "")),
	}, nil
}

// Match is one way a candidate domain imitates a known one.
type Match struct {
	Known    Domain
	Class    Class
	Distance int // edit distance between the names, for EditDistance
}

// minNameLength is the shortest known name compared for hyphens, extra
// words or edit distance: shorter names are one or two letters away from too many
// real domains.
const minNameLength = 4

// Compare returns the closest way candidate imitates a known domain, and
// false when it imitates none. A candidate under the same registrable
// domain as a known one (a subdomain of it) is that organisation and no
// lookalike.
func Compare(candidate Domain, known []Domain) (Match, bool) {
	var best Match
	found := false
	for _, k := range known {
		if k.Site == candidate.Site {
			return Match{}, false
		}
	}
	for _, k := range known {
		class, distance := classify(candidate, k)
		if class == 0 {
			continue
		}
		if !found || class < best.Class || (class == best.Class && distance < best.Distance) {
			best = Match{Known: k, Class: class, Distance: distance}
			found = true
		}
	}
	if !found && len(scriptsOfLabels(candidate.Unicode)) > 0 {
		return Match{Class: MixedScript}, true
	}
	return best, found
}

// classify returns the first class, in order of how convincing the
// imitation is, by which candidate imitates known.
func classify(candidate, known Domain) (Class, int) {
	if candidate.siteSkeleton == known.siteSkeleton {
		return Confusable, 0
	}
	sameName := candidate.Name == known.Name || candidate.nameSkeleton == known.nameSkeleton
	if sameName && candidate.Suffix != known.Suffix {
		return OtherTLD, 0
	}
	if len([]rune(known.Name)) < minNameLength {
		return 0, 0
	}
	if strings.ReplaceAll(candidate.Name, "-", "") == strings.ReplaceAll(known.Name, "-", "") {
		return Hyphenation, 0
	}
	if hasExtraWords(candidate, known) {
		return ExtraWords, 0
	}
	d := Distance(candidate.nameSkeleton, known.nameSkeleton)
	if d > 0 && d <= maxDistance(known.Name) {
		return EditDistance, d
	}
	return 0, 0
}

// maxDistance is the largest edit distance still reported for a known
// name: one error for names of up to 8 letters, two for longer ones.
func maxDistance(name string) int {
	if len([]rune(name)) <= 8 {
		return 1
	}
	return 2
}

// hasExtraWords reports whether candidate contains known's name as whole
// hyphen- or dot-separated words together with other words, or contains
// the whole known domain as a subdomain.
func hasExtraWords(candidate, known Domain) bool {
	if strings.Contains("."+candidate.Unicode+".", "."+known.Site+".") {
		return true
	}

	words := strings.FieldsFunc(strings.TrimSuffix(candidate.Unicode, "."+candidate.Suffix), func(r rune) bool {
		return r == '-' || r == '.'
	})
	want := known.joinedSkeleton
	for start := range words {
		for end := start + 1; end <= len(words); end++ {
			if start == 0 && end == len(words) {
				continue
			}
			if Skeleton(strings.Join(words[start:end], "")) == want {
				return true
			}
		}
	}
	return false
}

// scriptsOfLabels returns the labels of domain that mix scripts.
func scriptsOfLabels(domain string) []string {
	var mixed []string
	for _, label := range strings.Split(domain, ".") {
		if len(scripts(label)) > 1 {
			mixed = append(mixed, label)
		}
	}
	return mixed
}
