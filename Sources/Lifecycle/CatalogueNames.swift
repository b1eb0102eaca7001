/// The catalogue's name rules, for code outside the domain that makes names (ingest mappings
/// turning a vendor's ids into ours) and must know before a command is refused.
public enum CatalogueNames {
    /// `^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$`: story, build, deployment, … ids.
    public static func isEntityId(_ text: String) -> Bool { TokenPattern.entityId.matches(text) }
    /// `^[a-z0-9][a-z0-9._-]{0,62}$`: services and teams.
    public static func isName(_ text: String) -> Bool { TokenPattern.name.matches(text) }
    /// 7 to 40 hexadecimal characters.
    public static func isSha(_ text: String) -> Bool { TokenPattern.sha.matches(text) }
}
