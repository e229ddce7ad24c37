//! `device/key/list` a page at a time: `limit`, `after` and `nextCursor` in list order, the
//! 1000-key maximum per answer, and a cursor whose key is gone.

use std::sync::Arc;

use devicekey_proof::{encode_base64url, DeviceKeyError, KeyId};
use devicekey_protocol::types::{
    DeviceKeyAlgorithm, DeviceKeyInfo, DeviceKeyListResponse, DeviceKeyProtectionClass,
    DomainErrorKind,
};
use devicekey_protocol::validators::validate_device_key_list_response;
use devicekey_runtime::provider::UnsupportedProvider;
use devicekey_runtime::{BindingStore, DeviceKeyStore, ProviderSet, MAX_LIST_KEYS};
use serde_json::{json, Value};

use crate::support::StoreJson as _;

/// A store with `count` bindings; key `n` belongs to `account-{n % 2}` and was created at
/// `n / 3`, so that ties on `createdAt` are broken by key id. The key ids in list order.
fn store_with(count: usize) -> (DeviceKeyStore, Vec<DeviceKeyInfo>) {
    let bindings = BindingStore::open_in_memory().unwrap();
    let mut infos = Vec::new();
    for n in 0..count {
        let mut random = [0u8; 32];
        random[..8].copy_from_slice(&(n as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15).to_be_bytes());
        let key_id = KeyId::parse(&format!("dk_swk_{}", encode_base64url(&random))).unwrap();
        let info = DeviceKeyInfo {
            protection_class: DeviceKeyProtectionClass::Software,
            key_id: key_id.into(),
            algorithm: DeviceKeyAlgorithm::EcdsaP256Sha256,
            account_user_id: format!("account-{}", n % 2).try_into().unwrap(),
            client_id: "cli_123".try_into().unwrap(),
            created_at: (n / 3) as i64,
        };
        bindings.insert(&info, b"a public key").unwrap();
        infos.push(info);
    }
    infos.sort_by(|a, b| (a.created_at, a.key_id.as_str()).cmp(&(b.created_at, b.key_id.as_str())));
    let providers = ProviderSet::new(vec![Arc::new(UnsupportedProvider)]);
    (DeviceKeyStore::builder(providers, bindings).build(), infos)
}

async fn list(
    store: &DeviceKeyStore,
    params: Value,
) -> Result<DeviceKeyListResponse, DeviceKeyError> {
    store.list_json(params).await
}

/// Pages through the list with `params` (plus `after`), `limit` keys at a time.
async fn page_through(store: &DeviceKeyStore, mut params: Value) -> Vec<Vec<DeviceKeyInfo>> {
    let mut pages = Vec::new();
    loop {
        let page = list(store, params.clone()).await.unwrap();
        let cursor = page.next_cursor.clone();
        if let Some(cursor) = &cursor {
            assert_eq!(Some(cursor), page.keys.last().map(|key| &key.key_id));
        }
        pages.push(page.keys);
        match cursor {
            Some(cursor) => params["after"] = json!(cursor.as_str()),
            None => return pages,
        }
        assert!(pages.len() < 100, "the pages never end");
    }
}

#[tokio::test]
async fn pages_follow_the_list_order_and_the_last_has_no_cursor() {
    let (store, infos) = store_with(7);
    let pages = page_through(&store, json!({"limit": 2})).await;
    let sizes: Vec<usize> = pages.iter().map(Vec::len).collect();
    assert_eq!(sizes, [2, 2, 2, 1]);
    assert_eq!(pages.concat(), infos);

    // With a filter: the cursor counts only the matching keys.
    let account_1: Vec<DeviceKeyInfo> = infos
        .iter()
        .filter(|info| info.account_user_id.as_str() == "account-1")
        .cloned()
        .collect();
    let pages = page_through(&store, json!({"limit": 2, "accountUserId": "account-1"})).await;
    assert_eq!(pages.iter().map(Vec::len).collect::<Vec<_>>(), [2, 1]);
    assert_eq!(pages.concat(), account_1);

    // A limit the page does not fill: no cursor.
    let all = list(&store, json!({"limit": 7})).await.unwrap();
    assert_eq!((all.keys.len(), all.next_cursor), (7, None));
}

#[tokio::test]
async fn an_answer_holds_at_most_1000_keys() {
    let (store, infos) = store_with(MAX_LIST_KEYS + 1);
    let first = list(&store, json!({})).await.unwrap();
    // The answer is a valid DeviceKeyListResponse (whose keys have maxItems 1000).
    let answer = serde_json::to_value(&first).unwrap();
    assert_eq!(validate_device_key_list_response(&answer), Ok(()));
    assert_eq!(first.keys.len(), MAX_LIST_KEYS);
    assert_eq!(first.keys[..], infos[..MAX_LIST_KEYS]);
    let cursor = first.next_cursor.expect("a cursor to the last key");
    let rest = list(&store, json!({"after": cursor.as_str()}))
        .await
        .unwrap();
    assert_eq!(rest.keys[..], infos[MAX_LIST_KEYS..]);
    assert_eq!(rest.next_cursor, None);
    // More than 1000 cannot be asked for.
    let error = list(&store, json!({"limit": MAX_LIST_KEYS + 1}))
        .await
        .unwrap_err();
    assert_eq!(error.kind(), None, "{error}");
    assert_eq!(error.violations()[0].keyword, "maximum");
}

#[tokio::test]
async fn a_cursor_whose_key_is_gone_is_key_not_found() {
    let (store, infos) = store_with(4);
    let first = list(&store, json!({"limit": 2})).await.unwrap();
    let cursor = first.next_cursor.unwrap();
    let key = KeyId::try_from(&cursor).unwrap();
    assert!(store.bindings().delete(&key).unwrap());
    let error = list(&store, json!({"limit": 2, "after": cursor.as_str()}))
        .await
        .unwrap_err();
    assert_eq!(error.kind(), Some(DomainErrorKind::KeyNotFound), "{error}");
    assert!(error.message().contains("list again"), "{error}");
    // Listing again from the start works.
    let again = list(&store, json!({})).await.unwrap();
    assert_eq!(again.keys.len(), infos.len() - 1);
}
