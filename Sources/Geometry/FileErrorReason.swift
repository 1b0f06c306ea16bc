import Foundation

/// The operating system's reason for a failed file operation ("No such file or directory",
/// "Is a directory", "Permission denied"), instead of Foundation's generic
/// "The operation could not be completed (NSCocoaErrorDomain error 512)".
///
/// Every module reports file errors through this, so that all messages name the cause the same
/// way. (It lives in the base module because every reader and writer depends on it.)
public func fileErrorReason(_ error: any Error) -> String {
    let ns = error as NSError
    if ns.domain == NSPOSIXErrorDomain { return String(cString: strerror(Int32(ns.code))) }
    if let underlying = ns.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain {
        return String(cString: strerror(Int32(underlying.code)))
    }
    return ns.localizedDescription
}
