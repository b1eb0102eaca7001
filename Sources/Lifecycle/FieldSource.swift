import Foundation

/// Where a command's fields are read from, one typed field at a time: a JSON body (`JSONFields`) or a
/// field dictionary (`CommandFields`).
///
/// Each read gives nil for an absent field and refuses a value of another type with `invalid_field`;
/// `FieldSpec` adds `missing_field` for the required ones.
protocol FieldSource {
    func optionalString(_ key: String) throws(DomainError) -> String?
    func optionalInt(_ key: String) throws(DomainError) -> Int?
    func optionalNumber(_ key: String) throws(DomainError) -> Double?
    func optionalDate(_ key: String) throws(DomainError) -> Date?
    func optionalStrings(_ key: String) throws(DomainError) -> [String]?
}

extension JSONFields: FieldSource {}
