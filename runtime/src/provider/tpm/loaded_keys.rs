//! The device keys the provider keeps loaded in the TPM between operations: for each, its key
//! id, the SHA-256 of the blob it was loaded from, its handle, and when it was last used, so the
//! least recently used one goes first when the TPM needs a slot.
//!
//! A key is found only under its key id *and* the digest of the blob read from disk for this
//! operation: a blob file replaced under the same key id (another key's blob, a restored
//! backup) never finds the handle loaded from the old one, and the old handle is handed back to
//! be flushed.

use devicekey_proof::KeyId;

/// One loaded key.
struct Loaded {
    key_id: KeyId,
    blob: [u8; 32],
    handle: u32,
    used: u64,
}

/// What [`LoadedKeys::lookup`] found.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Lookup {
    /// This key id, loaded from this very blob, at this handle.
    Hit(u32),
    /// This key id was loaded from another blob, at this handle, which is no longer listed (the
    /// caller flushes it).
    Replaced(u32),
    /// Not loaded.
    Miss,
}

/// The loaded keys, in no order; few (a TPM has a handful of object slots).
#[derive(Default)]
pub(super) struct LoadedKeys {
    entries: Vec<Loaded>,
    clock: u64,
}

impl LoadedKeys {
    /// How many keys are loaded.
    pub(super) fn len(&self) -> usize {
        self.entries.len()
    }

    /// The handle of `key_id` loaded from a blob whose SHA-256 is `blob`, marked as just used.
    pub(super) fn lookup(&mut self, key_id: &KeyId, blob: &[u8; 32]) -> Lookup {
        let Some(index) = self.position(key_id) else {
            return Lookup::Miss;
        };
        if self.entries[index].blob != *blob {
            return Lookup::Replaced(self.entries.swap_remove(index).handle);
        }
        self.clock += 1;
        self.entries[index].used = self.clock;
        Lookup::Hit(self.entries[index].handle)
    }

    /// Lists `key_id`, loaded from the blob `blob` at `handle`, as just used. (A key id is
    /// listed once: an earlier entry of it must have been looked up, and so taken out, first.)
    pub(super) fn insert(&mut self, key_id: KeyId, blob: [u8; 32], handle: u32) {
        self.clock += 1;
        let loaded = Loaded {
            key_id,
            blob,
            handle,
            used: self.clock,
        };
        match self.position(&loaded.key_id) {
            Some(index) => self.entries[index] = loaded,
            None => self.entries.push(loaded),
        }
    }

    /// Takes `key_id` out; its handle, if it was loaded.
    pub(super) fn remove(&mut self, key_id: &KeyId) -> Option<u32> {
        let index = self.position(key_id)?;
        Some(self.entries.swap_remove(index).handle)
    }

    /// Takes out the least recently used key other than `keep`; its handle.
    pub(super) fn pop_least_recent(&mut self, keep: Option<&KeyId>) -> Option<u32> {
        let index = self
            .entries
            .iter()
            .enumerate()
            .filter(|(_, loaded)| Some(&loaded.key_id) != keep)
            .min_by_key(|(_, loaded)| loaded.used)
            .map(|(index, _)| index)?;
        Some(self.entries.swap_remove(index).handle)
    }

    /// Whether `handle` is one of the loaded keys'.
    pub(super) fn holds(&self, handle: u32) -> bool {
        self.entries.iter().any(|loaded| loaded.handle == handle)
    }

    /// Takes every key out; their handles.
    pub(super) fn take_all(&mut self) -> Vec<u32> {
        self.entries.drain(..).map(|loaded| loaded.handle).collect()
    }

    fn position(&self, key_id: &KeyId) -> Option<usize> {
        self.entries
            .iter()
            .position(|loaded| &loaded.key_id == key_id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use devicekey_protocol::types::DeviceKeyProtectionClass;

    fn key(byte: u8) -> KeyId {
        KeyId::from_parts(DeviceKeyProtectionClass::HardwareTpm, &[byte; 32])
    }

    #[test]
    fn a_key_is_found_only_with_the_blob_it_was_loaded_from() {
        let mut keys = LoadedKeys::default();
        assert_eq!(keys.lookup(&key(1), &[1; 32]), Lookup::Miss);
        keys.insert(key(1), [1; 32], 0x8000_0001);
        assert_eq!(keys.lookup(&key(1), &[1; 32]), Lookup::Hit(0x8000_0001));
        // Another blob under the same key id: the old handle comes back to be flushed, once.
        assert_eq!(
            keys.lookup(&key(1), &[2; 32]),
            Lookup::Replaced(0x8000_0001)
        );
        assert_eq!(keys.lookup(&key(1), &[1; 32]), Lookup::Miss);
        assert_eq!(keys.len(), 0);
        // Another key id with the same blob is another key.
        keys.insert(key(1), [1; 32], 0x8000_0001);
        assert_eq!(keys.lookup(&key(2), &[1; 32]), Lookup::Miss);
        assert_eq!(keys.remove(&key(1)), Some(0x8000_0001));
        assert_eq!(keys.remove(&key(1)), None);
    }

    #[test]
    fn the_least_recently_used_key_goes_first() {
        let mut keys = LoadedKeys::default();
        keys.insert(key(1), [1; 32], 1);
        keys.insert(key(2), [2; 32], 2);
        keys.insert(key(3), [3; 32], 3);
        assert_eq!(keys.lookup(&key(1), &[1; 32]), Lookup::Hit(1));
        // 2 is the oldest now; 3 next, unless it is the one to keep.
        assert_eq!(keys.pop_least_recent(None), Some(2));
        assert_eq!(keys.pop_least_recent(Some(&key(3))), Some(1));
        assert!(keys.holds(3) && !keys.holds(1));
        assert_eq!(keys.pop_least_recent(Some(&key(3))), None);
        assert_eq!(keys.take_all(), vec![3]);
        assert_eq!(keys.pop_least_recent(None), None);
    }
}
