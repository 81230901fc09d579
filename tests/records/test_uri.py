from assessment.records.uri import UriIssueKind, split_uri_list


def test_mailto_list_with_size_suffix() -> None:
    value = "mailto:dmarc@example.com, mailto:reports@vendor.example!10m"
    uris, issues = split_uri_list(value, 100, allow_size=True)
    assert issues == ()
    assert [u.address for u in uris] == ["dmarc@example.com", "reports@vendor.example"]
    assert [u.host for u in uris] == ["example.com", "vendor.example"]
    assert uris[1].size_limit == 10 * 1024 * 1024
    assert uris[1].size_text == "10m"
    assert uris[1].position == 100 + value.index("mailto:reports")


def test_bare_address_and_bad_suffix() -> None:
    uris, issues = split_uri_list("dmarc@example.com,mailto:x@example.com!5x", 0, allow_size=True)
    assert [i.kind for i in issues] == [UriIssueKind.NO_SCHEME, UriIssueKind.BAD_SIZE]
    assert not uris[0].valid


def test_size_suffix_not_parsed_when_not_allowed() -> None:
    uris, issues = split_uri_list("mailto:x@example.com!10m", 0, allow_size=False)
    assert [i.kind for i in issues] == [UriIssueKind.BAD_MAILTO]
    assert uris[0].size_limit is None


def test_https_uri() -> None:
    uris, issues = split_uri_list("https://reports.example.com/v1/tlsrpt", 0, allow_size=False)
    assert issues == ()
    assert uris[0].host == "reports.example.com"
    _, bad = split_uri_list("https:///nohost", 0, allow_size=False)
    assert [i.kind for i in bad] == [UriIssueKind.BAD_HTTPS]
    _, ipv6 = split_uri_list("https://[::1/x", 0, allow_size=False)
    assert [i.kind for i in ipv6] == [UriIssueKind.BAD_HTTPS]


def test_mailto_problems() -> None:
    for bad in ("mailto:", "mailto:noat", "mailto:@example.com", "mailto:a@b", "mailto:a..b@x.com"):
        _, issues = split_uri_list(bad, 0, allow_size=False)
        assert [i.kind for i in issues] == [UriIssueKind.BAD_MAILTO], bad


def test_percent_encoded_mailto_and_query() -> None:
    uris, issues = split_uri_list(
        "mailto:dmarc%2Breports@example.com?subject=x", 0, allow_size=True
    )
    assert issues == ()
    assert uris[0].address == "dmarc+reports@example.com"


def test_empty_items() -> None:
    uris, issues = split_uri_list("mailto:a@example.com,,", 0, allow_size=False)
    assert len(uris) == 1
    assert [i.kind for i in issues] == [UriIssueKind.EMPTY, UriIssueKind.EMPTY]
