// TEMPORARY until the CloudEvents mapping lands (replaced in this session).
enum CloudEvents {
    static let objectSQL = "json_build_object('specversion', '1.0', 'id', event_id)"
}
