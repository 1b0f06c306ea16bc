import Trajectories

/// Timestamp association of two trajectories, as `evo.core.sync.associate_trajectories`
/// (nearest-time method) does it.
public enum Association {
    /// Indices of the best matching stamps (`evo.core.sync.matching_time_indices`): for each
    /// stamp of `stamps1`, the nearest stamp of `stamps2 + offset2` within `maxDiff` seconds.
    /// Sorted `stamps2` use binary search (ties go to the earlier stamp); unsorted ones a
    /// linear search for the first minimum.
    public static func matchingIndices(_ stamps1: [Double], _ stamps2: [Double], maxDiff: Double,
                                       offset2: Double = 0) -> (first: [Int], second: [Int]) {
        let s2 = stamps2.map { $0 + offset2 }
        var m1: [Int] = [], m2: [Int] = []
        guard !s2.isEmpty else { return (m1, m2) }
        let sorted = zip(s2, s2.dropFirst()).allSatisfy { $0.0 <= $0.1 }
        if !sorted {
            for (i1, t) in stamps1.enumerated() {
                var best = 0, bestDiff = Double.infinity
                for (k, u) in s2.enumerated() where abs(u - t) < bestDiff { best = k; bestDiff = abs(u - t) }
                if bestDiff <= maxDiff { m1.append(i1); m2.append(best) }
            }
            return (m1, m2)
        }
        guard let first = s2.first, let last = s2.last else { return (m1, m2) }
        for (i1, t) in stamps1.enumerated() {
            if t < first - maxDiff || t > last + maxDiff { continue }
            // First index with s2[index] > t (numpy searchsorted, side="right").
            var lo = 0, hi = s2.count
            while lo < hi {
                let mid = (lo + hi) / 2
                if s2[mid] > t { hi = mid } else { lo = mid + 1 }
            }
            let i2 = Swift.min(lo, s2.count - 1)
            let diffUp = s2[i2] - t
            let diffLow = i2 > 0 ? t - s2[i2 - 1] : .infinity
            if diffUp <= maxDiff && diffUp < diffLow {
                m1.append(i1); m2.append(i2)
            } else if diffLow <= maxDiff && diffLow <= diffUp {
                m1.append(i1); m2.append(i2 - 1)
            }
        }
        return (m1, m2)
    }

    /// Synchronised copies of `reference` and `estimate` (both must have timestamps): the
    /// shorter trajectory's stamps are matched in the longer one, the estimate's stamps being
    /// shifted by `offset` seconds (evo's `--t_offset`). Names are used in the error message.
    public static func associate(reference: Trajectory, estimate: Trajectory, maxDiff: Double, offset: Double,
                                 referenceName: String, estimateName: String) throws(EvaluationError) -> (reference: Trajectory, estimate: Trajectory) {
        guard let tr = reference.timestamps, let te = estimate.timestamps else {
            throw .invalidOption("timestamp association needs timestamps in both trajectories")
        }
        let estimateLonger = estimate.count > reference.count
        let (short, long) = estimateLonger ? (tr, te) : (te, tr)
        let (iShort, iLong) = matchingIndices(short, long, maxDiff: maxDiff, offset2: estimateLonger ? offset : -offset)
        guard !iShort.isEmpty else {
            throw .noMatchingTimestamps(reference: referenceName, estimate: estimateName, maxDiff: maxDiff, offset: offset)
        }
        return estimateLonger
            ? (reference.subset(iShort), estimate.subset(iLong))
            : (reference.subset(iLong), estimate.subset(iShort))
    }
}
