package policy

import (
	"os"
	"path/filepath"
	"testing"
)

func BenchmarkLoad(b *testing.B) {
	dir := b.TempDir()
	managed := filepath.Join(dir, "managed.json")
	user := filepath.Join(dir, "user.json")
	writeBenchFile(b, managed, `{"settings":{"idleLock":{"maxMinutes":10},"phi":{"mrnPatterns":["\\bMRN[0-9]{7}\\b"]}},"locked":["encryption","idleLock.maxMinutes"]}`)
	writeBenchFile(b, user, `{"settings":{"idleLock":{"minutes":8},"remoteContent":{"allowed":true}}}`)
	loc := Locations{Managed: FileReader{Path: managed}, UserFile: user}
	for b.Loop() {
		eff, report := Load(loc)
		if eff.FallBack || len(report.Rejections) > 0 {
			b.Fatalf("rejections: %+v", report.Rejections)
		}
	}
}

func writeBenchFile(b *testing.B, path, text string) {
	b.Helper()
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		b.Fatal(err)
	}
}
