package policy

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
)

// flatten stores the JSON of every leaf under obj in out, keyed by path.
func flatten(n *node, obj map[string]any, out map[string]json.RawMessage) {
	for key, value := range obj {
		f := n.field(key)
		if f == nil {
			continue
		}
		if f.isLeaf() {
			raw, err := json.Marshal(value)
			if err == nil {
				out[f.path] = raw
			}
			continue
		}
		if m, ok := value.(map[string]any); ok {
			flatten(f, m, out)
		}
	}
}

// defaultValues returns the leaf values of Defaults by path.
func defaultValues() map[string]json.RawMessage {
	return valuesOf(Defaults())
}

func valuesOf(s Settings) map[string]json.RawMessage {
	data, err := json.Marshal(s)
	if err != nil {
		panic("policy: settings do not marshal: " + err.Error())
	}
	var obj map[string]any
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := dec.Decode(&obj); err != nil {
		panic("policy: settings do not unmarshal: " + err.Error())
	}
	out := map[string]json.RawMessage{}
	flatten(settingsTree(), obj, out)
	return out
}

// settingsFromValues builds Settings from leaf values by path.
func settingsFromValues(values map[string]json.RawMessage) (Settings, error) {
	root := map[string]any{}
	for path, raw := range values {
		parts := strings.Split(path, ".")
		m := root
		for _, part := range parts[:len(parts)-1] {
			child, ok := m[part].(map[string]any)
			if !ok {
				child = map[string]any{}
				m[part] = child
			}
			m = child
		}
		m[parts[len(parts)-1]] = raw
	}
	data, err := json.Marshal(root)
	if err != nil {
		return Settings{}, fmt.Errorf("failed to assemble settings: %w", err)
	}
	var s Settings
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&s); err != nil {
		return Settings{}, fmt.Errorf("failed to assemble settings: %w", err)
	}
	return s, nil
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// closest returns the candidate nearest to s by Levenshtein distance when
// it is near enough to be a plausible typo, compared case-insensitively.
func closest(s string, candidates []string) string {
	best, bestDistance := "", -1
	for _, c := range candidates {
		d := editDistance(strings.ToLower(s), strings.ToLower(c))
		if bestDistance < 0 || d < bestDistance {
			best, bestDistance = c, d
		}
	}
	limit := max(2, len(s)/3)
	if bestDistance < 0 || bestDistance > limit {
		return ""
	}
	return best
}

// editDistance is the Levenshtein distance between a and b in runes.
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	curr := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		curr[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			curr[j] = min(prev[j]+1, curr[j-1]+1, prev[j-1]+cost)
		}
		prev, curr = curr, prev
	}
	return prev[len(rb)]
}
