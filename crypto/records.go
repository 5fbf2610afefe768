package crypto

// RecordStore is the sealed record storage that *cache.Store provides.
// Values are sealed by the vault before they reach disk; GetRecord returns
// an error wrapping fs.ErrNotExist when the key is missing.
type RecordStore interface {
	PutRecord(kind, key string, value []byte) error
	GetRecord(kind, key string) ([]byte, error)
	ListRecords(kind string) ([]string, error)
	DeleteRecord(kind, key string) error
}
