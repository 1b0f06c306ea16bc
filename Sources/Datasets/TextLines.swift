import Foundation

/// The lines of a text file, split at LF or CRLF (Swift treats "\r\n" as one character, so a
/// plain split at "\n" would leave Windows files in one line).
func textLines(_ url: URL) throws(DatasetError) -> [Substring] {
    try textFile(url).split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" || $0 == "\r" })
}

/// A text file's contents. Throws `missingFile` when absent and `malformed` for a folder, an
/// unreadable file or bytes that are not UTF-8 text.
func textFile(_ url: URL) throws(DatasetError) -> String {
    guard let data = FileManager.default.contents(atPath: url.path) else {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) {
            throw .malformed(url.path, line: 1, isDirectory.boolValue ? "is a folder, expected a file" : "not readable")
        }
        throw .missingFile(url.path)
    }
    guard let text = String(data: data, encoding: .utf8) else { throw .malformed(url.path, line: 1, "not UTF-8 text") }
    return text
}
