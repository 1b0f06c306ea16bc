import ArgumentParser
import Foundation
import Geometry

extension ParsableCommand {
    /// Parses the arguments and runs the command as ArgumentParser's `main()` does, but prints
    /// error messages through `printableText`: messages quote input files, and a binary file must
    /// not send control sequences to the user's terminal.
    public static func mainWithPrintableErrors() {
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch {
            let code = exitCode(for: error)
            // Help and version (success) are the tool's own text, printed whole.
            let message = code == .success ? fullMessage(for: error) : printableText(fullMessage(for: error), limit: 4000)
            if !message.isEmpty {
                if code == .success { print(message) } else { FileHandle.standardError.write(Data((message + "\n").utf8)) }
            }
            Foundation.exit(code.rawValue)
        }
    }
}
