import Foundation

/// The lines of a text file, split at LF or CRLF (Swift treats "\r\n" as one character, so a
/// plain split at "\n" would leave Windows files in one line). Throws `missingFile` when absent
/// and `malformed` when the bytes are not UTF-8 text.
func textLines(_ url: URL) throws(DatasetError) -> [Substring] {
    guard let data = FileManager.default.contents(atPath: url.path) else {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) {
            throw .malformed(url.path, line: 1, isDirectory.boolValue ? "is a folder, expected a file" : "not readable")
        }
        throw .missingFile(url.path)
    }
    guard let text = String(data: data, encoding: .utf8) else { throw .malformed(url.path, line: 1, "not UTF-8 text") }
    return text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" || $0 == "\r" })
}
