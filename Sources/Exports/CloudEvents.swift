import Foundation

/// The `cloudevents` export format: each row of `events` as one CloudEvents 1.0 event in the
/// JSON format (structured mode), built by PostgreSQL so the export streams at COPY speed.
///
/// Where a CDEvents type says the same thing as a Loopline type, the event goes out as that
/// CDEvent: `type` is the CDEvents type and `data` the CDEvent (context, subject, and our data
/// as `customData`). Every other event goes out as `dev.loopline.<type>.v<schemaVersion>` with
/// our data as recorded. See docs/cloudevents-section.md.
enum CloudEvents {
    static let specVersion = "1.0"
    /// The CDEvents release the mappings follow; it goes into every CDEvent's `context.version`.
    static let cdeventsSpecVersion = "0.4.1"
    static let dataContentType = "application/json"
    /// `source` is this prefix and the stream id, percent-encoded: one stream, one source.
    static let sourcePrefix = "/loopline/streams/"
    /// Reverse-DNS prefix of the types of events no CDEvents type fits.
    static let looplineTypePrefix = "dev.loopline."

    /// Extension attributes (CloudEvents: a-z and 0-9 only, at most 20 characters). Position and
    /// stream version are 64-bit in the log but CloudEvents integers are 32-bit, so they are
    /// decimal strings; the schema version is a 32-bit column and goes out as a number.
    enum Extension {
        static let position = "llposition"
        static let stream = "llstream"
        static let streamVersion = "llstreamversion"
        static let type = "lltype"
        static let schemaVersion = "llschemaversion"
        static let all = [position, stream, streamVersion, type, schemaVersion]
    }

    /// The Loopline types that go out as CDEvents: the one place that says how.
    static let mappings: [CDEventsMapping] = [
        // A commit that came through a pull request is a merged change; a direct push is not
        // (CDEvents' `change` is a change request), so it keeps its Loopline type.
        CDEventsMapping(
            looplineType: "CommitIntegrated", cdeventsType: "dev.cdevents.change.merged.0.2.0",
            subjectType: "change", subjectID: .pullRequest),
        CDEventsMapping(
            looplineType: "BuildStarted", cdeventsType: "dev.cdevents.build.started.0.2.0",
            subjectType: "build", subjectID: .buildId),
        // build.finished 0.2.0 has no outcome: passed or failed is in customData and lltype.
        CDEventsMapping(
            looplineType: "BuildPassed", cdeventsType: "dev.cdevents.build.finished.0.2.0",
            subjectType: "build", subjectID: .buildId),
        CDEventsMapping(
            looplineType: "BuildFailed", cdeventsType: "dev.cdevents.build.finished.0.2.0",
            subjectType: "build", subjectID: .buildId),
        CDEventsMapping(
            looplineType: "DeploymentSucceeded", cdeventsType: "dev.cdevents.service.deployed.0.2.0",
            subjectType: "service", subjectID: .service,
            content: [("environment", .reference(.environment)), ("artifactId", .purl(name: .service, version: .sha))]),
        // The artifact running after a rollback is the one at toSha; without it, no CDEvent.
        CDEventsMapping(
            looplineType: "DeploymentRolledBack", cdeventsType: "dev.cdevents.service.rolledback.0.2.0",
            subjectType: "service", subjectID: .service,
            content: [
                ("environment", .reference(.environment)), ("artifactId", .purl(name: .service, version: .toSha)),
            ]),
    ]

    /// A `text` expression for the current row of `events`: the event as one line of JSON.
    /// Parameter-free, for use inside `COPY (SELECT … FROM events …)`.
    static var rowSQL: String {
        // OFFSET 0 keeps PostgreSQL from inlining the derived values, which would compute them
        // again wherever they are used (the time appears twice in a CDEvent).
        """
        (SELECT json_build_object(
                    'specversion', \(literal(specVersion)), 'id', event_id, 'source', ce_source,
                    'type', \(typeSQL), 'subject', \(subjectSQL), 'time', ce_time,
                    'datacontenttype', \(literal(dataContentType)),
                    \(literal(Extension.position)), global_position::text, \(literal(Extension.stream)), stream_id,
                    \(literal(Extension.streamVersion)), stream_version::text, \(literal(Extension.type)), type,
                    \(literal(Extension.schemaVersion)), schema_version,
                    'data', \(dataSQL))::text
           FROM (SELECT \(mappingIndexSQL) AS ce_mapping, \(literal(sourcePrefix)) || \(percentEncoded("stream_id")) AS ce_source,
                        \(timeSQL) AS ce_time
                 OFFSET 0) AS ce)
        """
    }

    /// 1-based index into `mappings` of the mapping this row takes, or 0 for none.
    static var mappingIndexSQL: String {
        let whens = mappings.enumerated().map { index, mapping in
            "WHEN type = \(literal(mapping.looplineType)) AND \(mapping.conditionSQL) THEN \(index + 1)"
        }
        return "CASE \(whens.joined(separator: " ")) ELSE 0 END"
    }

    /// Chooses, per mapping, one of the expressions `arm` gives, or `otherwise`.
    static func byMapping(_ arm: (CDEventsMapping) -> String, otherwise: String) -> String {
        let whens = mappings.enumerated().map { index, mapping in "WHEN \(index + 1) THEN \(arm(mapping))" }
        return "CASE ce_mapping \(whens.joined(separator: " ")) ELSE \(otherwise) END"
    }

    static var typeSQL: String {
        byMapping(
            { literal($0.cdeventsType) },
            otherwise: "\(literal(looplineTypePrefix)) || lower(type) || '.v' || schema_version")
    }

    /// CDEvents binding: the CloudEvents subject is the CDEvent's subject id.
    static var subjectSQL: String {
        byMapping({ $0.subjectID.sql }, otherwise: "stream_id")
    }

    /// json, not jsonb: building jsonb copies and sorts every data object again (measured:
    /// the CDEvents took a third longer).
    static var dataSQL: String {
        byMapping(cdeventSQL, otherwise: "to_json(data)")
    }

    /// The CDEvent of a mapped row: context, subject, and our data as customData.
    static func cdeventSQL(_ mapping: CDEventsMapping) -> String {
        let content = mapping.content.flatMap { [literal($0.name), $0.value.sql] }.joined(separator: ", ")
        return """
            json_build_object('context', json_build_object('version', \(literal(cdeventsSpecVersion)), 'id', event_id, \
            'source', ce_source, 'type', \(literal(mapping.cdeventsType)), 'timestamp', ce_time), \
            'subject', json_build_object('id', \(mapping.subjectID.sql), 'type', \(literal(mapping.subjectType)), \
            'content', json_build_object(\(content))), \
            'customData', data, 'customDataContentType', \(literal(dataContentType)))
            """
    }

    /// Characters a URI path segment may hold as they are (unreserved, `:` and `@`).
    static let uriSafeClass = "[A-Za-z0-9._~:@-]"

    /// Percent-encodes the UTF-8 of a text expression for a URI path segment. Stream ids are
    /// usually safe as they are, so the per-character work runs only for those that are not.
    static func percentEncoded(_ expression: String) -> String {
        let encodeCharacter =
            #"regexp_replace(upper(encode(convert_to(ce_char, 'UTF8'), 'hex')), '(..)', \#(literal(#"%\1"#)), 'g')"#
        return """
            CASE WHEN \(expression) ~ \(literal("^\(uriSafeClass)*$")) THEN \(expression) \
            ELSE (SELECT string_agg(CASE WHEN ce_char ~ \(literal("^\(uriSafeClass)$")) THEN ce_char ELSE \(encodeCharacter) END, \
            '' ORDER BY ce_index) FROM regexp_split_to_table(\(expression), '') WITH ORDINALITY AS ce_chars(ce_char, ce_index)) END
            """
    }

    /// RFC 3339 in UTC with microseconds, fixed width so that text order is time order.
    static var timeSQL: String {
        "to_char(coalesce(\(occurredAtSQL), recorded_at) AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')"
    }

    /// `data.occurredAt` as timestamptz when it is a valid RFC 3339 date-time, else NULL.
    ///
    /// Raw appends can put anything in data and a failing cast would abort the whole COPY, so
    /// the text is checked first: its shape and ranges by the pattern, then what a pattern
    /// cannot see (a year the UTC conversion keeps within 1–9999, the length of the month).
    /// CASE tests its branches in order, so the cast only ever sees text that casts. The
    /// digits compare as text, in the C collation, which is cheaper than casting them.
    static var occurredAtSQL: String {
        let text = "(data->>'occurredAt')"
        let day = "substr(\(text), 9, 2)"
        let firstOfMonth = "make_date(substr(\(text), 1, 4)::int, substr(\(text), 6, 2)::int, 1)"
        return """
            CASE WHEN jsonb_typeof(data->'occurredAt') IS DISTINCT FROM 'string' THEN NULL \
            WHEN length(\(text)) > 35 OR \(text) !~ \(literal(rfc3339Pattern)) THEN NULL \
            WHEN substr(\(text), 1, 4) COLLATE "C" NOT BETWEEN '0002' AND '9998' THEN NULL \
            WHEN \(day) COLLATE "C" <= '28' THEN \(text)::timestamptz \
            WHEN \(day)::int > extract(day FROM \(firstOfMonth) + interval '1 month - 1 day') THEN NULL \
            ELSE \(text)::timestamptz END
            """
    }

    /// Date-time with a time zone (RFC 3339 allows a lower-case t and z, and so does
    /// PostgreSQL); each field within its range except the day's upper bound per month.
    /// Offsets stop at ±15:59, the largest PostgreSQL reads. The fraction's length is bounded
    /// by the length check before the match (35 characters), not by `{1,9}`: bounded repeats
    /// are slow (see `CDEventsMapping.Field`).
    static let rfc3339Pattern =
        "^[0-9][0-9][0-9][0-9]-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])[Tt]([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]([.][0-9]+)?"
        + "([Zz]|[+-](0[0-9]|1[0-5]):?[0-5][0-9])$"

    /// A SQL string literal for one of our constants. Quotes are doubled; a backslash makes it
    /// an escape string (E'…', backslashes doubled), which reads the same whatever
    /// `standard_conforming_strings` says.
    static func literal(_ text: String) -> String {
        precondition(!text.unicodeScalars.contains("\0"), "SQL text cannot hold NUL")
        let quoted = text.replacingOccurrences(of: "'", with: "''")
        guard text.contains("\\") else { return "'\(quoted)'" }
        return "E'\(quoted.replacingOccurrences(of: "\\", with: "\\\\"))'"
    }
}

/// How one Loopline event type becomes a CDEvent (CDEvents 0.4.1).
struct CDEventsMapping: Sendable {
    /// The data fields a mapping reads, each with the pattern its value must match for the
    /// CDEvent to be truthful and valid; an event whose data does not match keeps its Loopline
    /// type. Service and SHAs build a purl, so they must be exactly as the catalogue says.
    enum Field: String, Sendable {
        case buildId, environment, pullRequest, service, sha, toSha

        /// The catalogue's pattern, with its length apart: bounded repeats (`{0,62}`) make
        /// PostgreSQL's regular expressions several times slower (measured). nil: non-empty.
        var pattern: (regex: String, length: ClosedRange<Int>)? {
            switch self {
            case .service: ("^[a-z0-9][a-z0-9._-]*$", 1...63)
            case .sha, .toSha: ("^[0-9a-f]+$", 7...40)
            case .buildId, .environment, .pullRequest: nil
            }
        }

        var conditionSQL: String {
            let isString = "jsonb_typeof(data->\(CloudEvents.literal(rawValue))) = 'string'"
            guard let pattern else { return "\(isString) AND \(sql) <> ''" }
            return "\(isString) AND \(sql) ~ \(CloudEvents.literal(pattern.regex)) "
                + "AND length(\(sql)) BETWEEN \(pattern.length.lowerBound) AND \(pattern.length.upperBound)"
        }

        var sql: String { "(data->>\(CloudEvents.literal(rawValue)))" }
    }

    /// A member of the subject's content.
    enum Value: Sendable {
        /// `{"id": field}`: a CDEvents reference, e.g. to an environment.
        case reference(Field)
        /// `pkg:generic/<name>@<version>`: a synthesised artifact id (see the docs: we know the
        /// service and the commit deployed, not the registry artifact).
        case purl(name: Field, version: Field)

        var fields: [Field] {
            switch self {
            case .reference(let field): [field]
            case .purl(let name, let version): [name, version]
            }
        }

        var sql: String {
            switch self {
            case .reference(let field): "json_build_object('id', \(field.sql))"
            case .purl(let name, let version): "'pkg:generic/' || \(name.sql) || '@' || \(version.sql)"
            }
        }
    }

    var looplineType: String
    var cdeventsType: String
    var subjectType: String
    var subjectID: Field
    var content: [(name: String, value: Value)] = []

    /// Every field read is a JSON string matching its pattern.
    var conditionSQL: String {
        var fields = [subjectID]
        for field in content.flatMap(\.value.fields) where !fields.contains(field) { fields.append(field) }
        return fields.map(\.conditionSQL).joined(separator: " AND ")
    }
}
