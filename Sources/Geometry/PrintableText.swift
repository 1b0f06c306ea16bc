/// `text` made safe to print on a terminal: control characters other than newline and tab
/// (escape sequences, carriage returns, NUL from binary files) shown as `\u{…}`, and cut to
/// `limit` characters. Messages that quote file content pass through this.
public func printableText(_ text: String, limit: Int = 2000) -> String {
    var out = ""
    for scalar in text.unicodeScalars {
        if scalar.properties.generalCategory == .control && scalar != "\n" && scalar != "\t" {
            out += "\\u{\(String(scalar.value, radix: 16))}"
        } else {
            out.unicodeScalars.append(scalar)
        }
    }
    return out.count > limit ? String(out.prefix(limit)) + "…" : out
}
