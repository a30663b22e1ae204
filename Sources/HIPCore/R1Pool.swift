// R1Pool: the Responder's stateless side (RFC 7401 §4.1.1, §6.7.1, App. A): precomputed, pre-signed R1s, one
// per DH group, per generation; the puzzle #I computed per I1; I2 solutions checked against the current or
// the previous generation; solutions of accepted I2s remembered to refuse replays, and every solution's
// attempts past the puzzle counted (at most `CoreLimits.attemptsPerSolution` each).
//
//  R1 template (signed once; HIP_SIGNATURE_2 zeroes the patched fields):
//    header (Receiver's HIT patched per I1) | R1_COUNTER | PUZZLE (Opaque, #I patched) | DH_GROUP_LIST |
//    DIFFIE_HELLMAN | HIP_CIPHER | NAT_TRAVERSAL_MODE | HOST_ID | HIT_SUITE_LIST | [REG_INFO: a registrar's]
//    | TRANSPORT_FORMAT_LIST | ESP_TRANSFORM | HIP_SIGNATURE_2
//  #I = HMAC-RHASH(S, HIT-I ‖ HIT-R ‖ IP-I ‖ IP-R ‖ #K)   (App. A's RHASH(S ‖ ...), keyed; addresses
//  IPv4-mapped; #K added so that an I2 cannot claim an easier #K than the R1 it answers carried)
//  Opaque = the low 16 bits of the generation counter (finds the generation when I2 has no R1_COUNTER).
//  Rotation: a new secret S, counter + 1, new DH keys, re-signed templates; the previous generation stays
//  valid for I2s until the next rotation. Due every `puzzleSecretLifetime`, and at once when a generation's
//  memory (accepted or attempted solutions) is full or failed I2s call for a harder puzzle.
//  Adaptive #K: `failedI2sForHarderPuzzle` I2s that solved the puzzle and then failed since the last
//  rotation → #K + `puzzleDifficultyStep` (up to `puzzleDifficultyCeiling`); `calmGenerationsForEasierPuzzle`
//  rotations in a row without → back to `puzzleDifficulty`.
//  Flood #K: each generation also has templates with the ceiling's #K (the same DH keys), for I1s from
//  addresses not known for the claimed HIT while I1s are being rate limited (HIPHost.receiveI1).
import HIPCrypto
import HIPWire

struct R1Pool: Sendable {
    struct Template: Sendable {
        let dh: DHKeyPair
        let bytes: [UInt8]
    }

    struct Generation: Sendable {
        let counter: UInt64
        let secret: SecretBytes
        let k: UInt8
        var opaque: UInt16 { UInt16(truncatingIfNeeded: counter) }
        let templates: [UInt8: Template]
        /// The flood puzzle: its #K (never below `k`) and templates (the same as `templates` when equal).
        let floodK: UInt8
        let floodTemplates: [UInt8: Template]
        /// Replay keys of accepted I2s.
        var consumed: Set<[UInt8]> = []
        /// How many I2s each solution (replay key) took past the puzzle check, and why the first one failed.
        var attempts: [[UInt8]: Int] = [:]
        var firstFailures: [[UInt8]: RejectReason] = [:]
    }

    enum Slot: Sendable { case current, previous }

    /// A verified puzzle solution: which generation, its DH keys, and the replay key.
    struct Solved: Sendable {
        let slot: Slot
        let templates: [UInt8: Template]
        let puzzleI: [UInt8]
        let puzzleJ: [UInt8]
        var replayKey: [UInt8] { puzzleI + puzzleJ }
    }

    private(set) var current: Generation
    private(set) var previous: Generation?
    private(set) var rotatesAt: Instant
    /// Set when a generation's memory is full or failed I2s call for a harder puzzle: the host rotates now.
    private(set) var rotationDue = false
    /// I2s that solved a puzzle and then failed a later check, since the last rotation.
    private var failedI2s = 0
    /// Rotations in a row with fewer than `CoreLimits.failedI2sForHarderPuzzle` failed I2s.
    private var calmRotations = 0

    /// Offsets in every template: Receiver's HIT, PUZZLE Opaque and #I (PUZZLE follows R1_COUNTER only).
    static let receiverHITOffset = 24
    static let puzzleContentsOffset = HIPProtocol.headerLength + 16 + 4
    static let opaqueOffset = puzzleContentsOffset + 2
    static let randomOffset = puzzleContentsOffset + 4

    init(local: LocalHost, now: Instant) throws(CryptoError) {
        current = try Self.generation(counter: 1, k: local.settings.puzzleDifficulty, local: local)
        previous = nil
        rotatesAt = now + local.settings.puzzleSecretLifetime
    }

    /// Starts a new generation with #K as the failed I2s since the last rotation call for (file comment);
    /// the current one becomes the previous one.
    mutating func rotate(local: LocalHost, now: Instant) throws(CryptoError) {
        let settings = local.settings
        let k: UInt8
        var calm = calmRotations
        if failedI2s >= CoreLimits.failedI2sForHarderPuzzle {
            k = UInt8(min(Int(current.k) + Int(CoreLimits.puzzleDifficultyStep), Int(settings.effectivePuzzleDifficultyCeiling)))
            calm = 0
        } else {
            calm += 1
            k = calm >= CoreLimits.calmGenerationsForEasierPuzzle ? settings.puzzleDifficulty : current.k
        }
        let next = try Self.generation(counter: current.counter &+ 1, k: k, local: local)
        previous = current
        current = next
        calmRotations = calm
        failedI2s = 0
        rotationDue = false
        rotatesAt = now + settings.puzzleSecretLifetime
    }

    /// Keeps the current generation for `period` more (after a failed rotation).
    mutating func postpone(now: Instant, by period: Duration) {
        rotatesAt = now + period
        rotationDue = false
    }

    /// The R1 answering an I1 from `initiator` (at `source`, sent to our `destination`), with the DH group
    /// chosen by RFC 7401 §5.2.6 (our first group in the I1 list; our first group if none is shared), and
    /// the generation's flood puzzle when `flood`.
    func r1(to initiator: HIT, initiatorGroups: [UInt8], source: IPAddress, destination: IPAddress,
            flood: Bool = false, local: LocalHost) -> [UInt8] {
        let group = Negotiation.dhGroup(responderList: local.dhGroupIDs, initiatorList: initiatorGroups)
            ?? local.dhGroupIDs[0]
        let (k, templates) = flood ? (current.floodK, current.floodTemplates) : (current.k, current.templates)
        guard let template = templates[group] else { preconditionFailure("no R1 template for group \(group)") }
        var bytes = template.bytes
        let puzzleI = Self.puzzleI(secret: current.secret, initiator: initiator, responder: local.hit,
                                   initiatorAddress: source, responderAddress: destination, k: k,
                                   hash: local.responderHash)
        bytes.withUnsafeMutableBufferPointer { buffer in
            for (index, byte) in initiator.bytes.enumerated() { buffer[Self.receiverHITOffset + index] = byte }
            buffer[Self.opaqueOffset] = UInt8(current.opaque >> 8)
            buffer[Self.opaqueOffset + 1] = UInt8(truncatingIfNeeded: current.opaque)
            for (index, byte) in puzzleI.enumerated() { buffer[Self.randomOffset + index] = byte }
        }
        return bytes
    }

    /// Checks an I2's SOLUTION (and R1_COUNTER) against the generation it answers and counts the attempt:
    /// `.replayedI2` for the solution of an accepted I2, `.solutionAttemptsExhausted` when the solution has
    /// had its attempts. Sets `rotationDue` when the generation's attempt memory is full.
    mutating func admit(_ solution: Solution, r1Counter: UInt64?, initiator: HIT, source: IPAddress,
                        destination: IPAddress, local: LocalHost) -> Result<Solved, RejectReason> {
        let solved: Solved
        let attempts: Int
        switch check(solution, r1Counter: r1Counter, initiator: initiator, source: source, destination: destination,
                     local: local) {
        case .failure(let reason): return .failure(reason)
        case .success(let value): (solved, attempts) = value
        }
        let count: Int
        switch solved.slot {
        case .current:
            current.attempts[solved.replayKey] = attempts + 1
            count = current.attempts.count
        case .previous:
            previous?.attempts[solved.replayKey] = attempts + 1
            count = previous?.attempts.count ?? 0
        }
        if count >= CoreLimits.attemptedSolutionsPerGeneration { rotationDue = true }
        return .success(solved)
    }

    /// Remembers why the first I2 with a solution failed after its puzzle passed (a later one refused as
    /// `.solutionAttemptsExhausted` names it).
    mutating func recordFailure(_ reason: RejectReason, of solved: Solved) {
        switch solved.slot {
        case .current: if current.firstFailures[solved.replayKey] == nil { current.firstFailures[solved.replayKey] = reason }
        case .previous: if previous?.firstFailures[solved.replayKey] == nil { previous?.firstFailures[solved.replayKey] = reason }
        }
    }

    /// Why the first I2 with this solution failed, if one did (the current or previous generation).
    func firstFailure(of solution: Solution) -> RejectReason? {
        let key = solution.random + solution.solution
        return current.firstFailures[key] ?? previous?.firstFailures[key]
    }

    /// Counts an I2 that solved the puzzle and then failed; sets `rotationDue` when the threshold is reached
    /// and #K can still go up.
    mutating func countFailedI2(settings: HostSettings) {
        failedI2s += 1
        if failedI2s >= CoreLimits.failedI2sForHarderPuzzle, current.k < settings.effectivePuzzleDifficultyCeiling {
            rotationDue = true
        }
    }

    /// The puzzle checks of `admit`, without changing anything: the solution and its attempts so far.
    private func check(_ solution: Solution, r1Counter: UInt64?, initiator: HIT, source: IPAddress,
               destination: IPAddress, local: LocalHost) -> Result<(Solved, attempts: Int), RejectReason> {
        var generation: Generation?
        var slot = Slot.current
        for (candidateSlot, candidate) in [(Slot.current, current), (Slot.previous, previous)] {
            guard let candidate else { continue }
            let matches = r1Counter.map { $0 == candidate.counter } ?? (solution.opaque == candidate.opaque)
            if matches {
                generation = candidate
                slot = candidateSlot
                break
            }
        }
        guard let generation else { return .failure(.stalePuzzle) }
        let expectedI = Self.puzzleI(secret: generation.secret, initiator: initiator, responder: local.hit,
                                     initiatorAddress: source, responderAddress: destination, k: solution.k,
                                     hash: local.responderHash)
        guard solution.k == generation.k || solution.k == generation.floodK, solution.opaque == generation.opaque,
              solution.random == expectedI else {
            return .failure(.puzzleMismatch)
        }
        guard solution.solution.count == expectedI.count,
              PuzzleSolver.verify(i: expectedI, j: solution.solution, k: solution.k, hitI: initiator,
                                  hitR: local.hit, hash: local.responderHash) else {
            return .failure(.wrongPuzzleSolution)
        }
        let solved = Solved(slot: slot, templates: generation.templates, puzzleI: expectedI, puzzleJ: solution.solution)
        guard !generation.consumed.contains(solved.replayKey) else { return .failure(.replayedI2) }
        let attempts = generation.attempts[solved.replayKey, default: 0]
        guard attempts < CoreLimits.attemptsPerSolution else { return .failure(.solutionAttemptsExhausted) }
        return .success((solved, attempts))
    }

    /// Remembers an accepted I2's solution; sets `rotationDue` when the generation's memory is full.
    mutating func consume(_ solved: Solved) {
        let count: Int
        switch solved.slot {
        case .current:
            current.consumed.insert(solved.replayKey)
            count = current.consumed.count
        case .previous:
            previous?.consumed.insert(solved.replayKey)
            count = previous?.consumed.count ?? 0
        }
        if count >= CoreLimits.consumedSolutionsPerGeneration { rotationDue = true }
    }

    /// #I for one Initiator and #K: RFC 7401 App. A's RHASH(S ‖ HIT-I ‖ HIT-R ‖ IP-I ‖ IP-R), computed as
    /// HMAC-RHASH keyed with S over HIT-I ‖ HIT-R ‖ IP-I ‖ IP-R ‖ #K. The same inputs plus #K (a generation
    /// asks two), the same length (RHASH_len), but S stays inside its SecretBytes and the construction is a
    /// PRF without length extension.
    static func puzzleI(secret: SecretBytes, initiator: HIT, responder: HIT, initiatorAddress: IPAddress,
                        responderAddress: IPAddress, k: UInt8, hash: HashAlgorithm) -> [UInt8] {
        var input = [UInt8]()
        input.reserveCapacity(65)
        input += initiator.bytes
        input += responder.bytes
        input += initiatorAddress.v4Mapped
        input += responderAddress.v4Mapped
        input.append(k)
        return HMAC.authenticate(hash, key: secret, data: input)
    }

    private static func generation(counter: UInt64, k: UInt8, local: LocalHost) throws(CryptoError) -> Generation {
        let secret = SecretBytes(local.random.bytes(CoreLimits.puzzleSecretLength))
        let floodK = max(k, local.settings.effectivePuzzleDifficultyCeiling)
        var templates: [UInt8: Template] = [:]
        var floodTemplates: [UInt8: Template] = [:]
        for group in local.settings.dhGroups {
            let dh = try DHKeyPair(group: group)
            templates[group.rawValue] = try template(counter: counter, k: k, group: group, dh: dh, local: local)
            floodTemplates[group.rawValue] = floodK == k ? templates[group.rawValue]
                : try template(counter: counter, k: floodK, group: group, dh: dh, local: local)
        }
        return Generation(counter: counter, secret: secret, k: k, templates: templates, floodK: floodK,
                          floodTemplates: floodTemplates)
    }

    /// One signed R1 template (file comment).
    private static func template(counter: UInt64, k: UInt8, group: DHGroup, dh: DHKeyPair,
                                 local: LocalHost) throws(CryptoError) -> Template {
        let settings = local.settings
        var packet = HIPPacket(type: .r1, senderHIT: local.hit, receiverHIT: .null, parameters: [
            .r1Counter(counter),
            .puzzle(Puzzle(k: k, lifetime: settings.puzzleLifetime, opaque: 0,
                           random: [UInt8](repeating: 0, count: local.responderHash.digestLength))),
            .dhGroupList(local.dhGroupIDs),
            .diffieHellman(DiffieHellmanValue(group: group.rawValue, publicValue: dh.publicValue)),
            .hipCipher(local.hipCipherIDs),
            .natTraversalMode(settings.natTraversalModes),
            local.hostID,
            .hitSuiteList(local.hitSuiteList),
            .transportFormatList([CoreProtocol.espTransportFormat]),
            .espTransform(local.espSuiteIDs),
        ])
        if let registrar = settings.registrar {
            packet.parameters.append(.regInfo(RegInfo(minLifetime: registrar.minimumLifetime,
                                                      maxLifetime: registrar.maximumLifetime, types: registrar.types)))
        }
        packet.parameters.append(try PacketSealer.signature2(forR1: packet.serialize(), identity: local.identity))
        return Template(dh: dh, bytes: packet.serialize())
    }
}
