/// Which events a log read or a subscription returns.
public struct EventFilter: Sendable, Hashable {
    /// Only this category's events (`story`, `build`, ...), if set.
    public var category: String?
    /// Only events of these types; all types when empty.
    public var types: [String]

    public init() {
        self.category = nil
        self.types = []
    }

    /// A validated filter.
    public init(category: String? = nil, types: [String] = []) throws(EventStoreError) {
        if let category, !StreamName.isCategory(Substring(category)) {
            throw EventStoreError(.invalidStream, "category \(StreamName.quoted(category)) is not a valid category", field: "category")
        }
        for type in types where !NewEvent.isValidType(type) {
            throw EventStoreError(.invalidEventType, "\(StreamName.quoted(type)) is not a valid event type", field: "type")
        }
        guard types.count <= 100 else {
            throw EventStoreError(.invalidArgument, "filter on at most 100 types", field: "type")
        }
        self.category = category
        self.types = types
    }
}

/// One page of the log.
public struct LogPage: Sendable, Hashable {
    public var events: [RecordedEvent]
    /// Pass as `after` to read the next page.
    public var next: Int64
}
