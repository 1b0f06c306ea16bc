import Datasets
import Foundation

extension StereoPipeline {
    /// Feeds frames `range` of a dataset through the pipeline (decoded ahead on another thread,
    /// overlapping with processing) and hands each frame to `body`; stops early, between frames,
    /// when `stop` says so. A frame that cannot be read or processed ends the run with an error
    /// naming the dataset and the frame. Call `finish()` afterwards for the corrected trajectory.
    public func run(_ dataset: any StereoDataset, frames range: Range<Int>, stop: () -> Bool = { false },
                    _ body: (PipelineFrame) throws -> Void) throws {
        let prefetch = FramePrefetcher(dataset: dataset, range: range, depth: 6)
        defer { prefetch.cancel() }
        var index = range.lowerBound
        while !stop() {
            let frame: StereoFrame?
            do { frame = try prefetch.next() } catch {
                throw PipelineError.frame(dataset: dataset.name, index: index, reason: error.description)
            }
            guard let frame else { break }
            let f: PipelineFrame
            do { f = try process(left: frame.left, right: frame.right, timestamp: frame.timestamp) } catch {
                throw PipelineError.frame(dataset: dataset.name, index: frame.index, reason: error.description)
            }
            try body(f)
            index = frame.index + 1
        }
    }
}
