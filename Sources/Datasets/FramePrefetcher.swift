import Foundation

/// Decodes frames ahead of the consumer on a background thread, holding at most `depth` decoded
/// frames (a bounded queue), so that decoding overlaps with processing on the second core.
///
/// ```swift
/// let frames = FramePrefetcher(dataset: kitti, depth: 4)
/// while let frame = try frames.next() { … }
/// ```
/// A decoding error is delivered by `next()` at the frame that failed; later frames are not read.
public final class FramePrefetcher: @unchecked Sendable {
    // All mutable state is guarded by `condition`.
    private let condition = NSCondition()
    private var buffer: [Int: Result<StereoFrame, DatasetError>] = [:]
    private var nextToDeliver: Int
    private var cancelled = false
    private let end: Int
    private let depth: Int
    private var thread: Thread?

    /// Starts decoding `range` (default: all frames) of `dataset`.
    public init(dataset: any StereoDataset, range: Range<Int>? = nil, depth: Int = 4) {
        let r = range ?? 0..<dataset.frameCount
        nextToDeliver = r.lowerBound
        end = r.upperBound
        self.depth = max(1, depth)
        let t = Thread { [self] in self.produce(dataset, r) }
        t.name = "parallax.prefetch"
        thread = t
        t.start()
    }

    deinit { cancel() }

    private func produce(_ dataset: any StereoDataset, _ range: Range<Int>) {
        for i in range {
            condition.lock()
            while !cancelled && i - nextToDeliver >= depth { condition.wait() }
            if cancelled { condition.unlock(); return }
            condition.unlock()
            let result: Result<StereoFrame, DatasetError>
            do { result = .success(try dataset.frame(i)) } catch { result = .failure(error) }
            condition.lock()
            buffer[i] = result
            condition.broadcast()
            condition.unlock()
            if case .failure = result { return }
        }
    }

    /// The next frame in order, `nil` at the end. Blocks until it is decoded.
    public func next() throws(DatasetError) -> StereoFrame? {
        condition.lock()
        defer { condition.unlock() }
        guard nextToDeliver < end, !cancelled else { return nil }
        while buffer[nextToDeliver] == nil { condition.wait() }
        let result = buffer.removeValue(forKey: nextToDeliver)!
        nextToDeliver += 1
        condition.broadcast()
        switch result {
        case .success(let f): return f
        case .failure(let e):
            cancelled = true
            throw e
        }
    }

    /// Stops decoding; `next()` returns `nil` afterwards.
    public func cancel() {
        condition.lock()
        cancelled = true
        condition.broadcast()
        condition.unlock()
    }
}

/// The dataset layouts Parallax reads.
public enum DatasetKind: String, CaseIterable, Sendable {
    case kitti, tartanair, euroc, generic

    /// Opens a dataset of this kind. `sequence` is required for KITTI ("00" … "21").
    public func open(_ path: URL, sequence: String? = nil) throws(DatasetError) -> any StereoDataset {
        switch self {
        case .kitti: try KITTIDataset(root: path, sequence: sequence ?? "00")
        case .tartanair: try TartanAirDataset(root: path)
        case .euroc: try EuRoCDataset(root: path)
        case .generic: try GenericDataset(path: path)
        }
    }
}
