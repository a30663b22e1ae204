// Negotiation (RFC 7401 §5.2.6 DH, §5.2.8 HIP_CIPHER, §5.2.10 HIT suites; RFC 7402 §5.1.2 ESP_TRANSFORM,
// §3.3.5 auth-only), policy, opportunistic I1, checksums, settings validation.
import HIPCrypto
import HIPWire
import Testing
@testable import HIPCore

@Suite struct NegotiationTests {
    static func exchange(initiator: HostSettings, responder: HostSettings, kinds: (HostIdentityKind, HostIdentityKind)
                         = (.ecdsaP256, .ecdsaP256), policy: any PeerPolicy = AllowedPeers.anyone) throws -> TestNetwork {
        var network = TestNetwork([try TestHosts.make(try TestIdentities.identity(kinds.0, 0), settings: initiator, seed: 1),
                                   try TestHosts.make(try TestIdentities.identity(kinds.1, 1), settings: responder, seed: 2,
                                                      policy: policy)])
        network.connect(0, to: 1)
        network.run(for: .seconds(60))
        return network
    }

    static func settings(_ groups: [DHGroup] = [.nistP256], ciphers: [HIPCipherID] = [.aes128CBC, .aes256CBC],
                         suites: [ESPSuiteID] = [.aesGCM16, .aes128CBCSHA256, .aes256CBCSHA256]) -> HostSettings {
        var settings = HostSettings()
        settings.dhGroups = groups
        settings.hipCiphers = ciphers
        settings.espSuites = suites
        settings.allowsAuthenticationOnlyESP = suites.contains(.nullSHA256)
        settings.exportsKeymatInputs = true
        return settings
    }

    /// The Responder's first group that the Initiator's list contains, whatever the Initiator's order.
    @Test(arguments: [([DHGroup.nistP256, .nistP384], [DHGroup.nistP384, .nistP256], DHGroup.nistP384),
                      ([.modp1536], [.nistP256, .modp1536], .modp1536),
                      ([.nistP384, .modp2048, .nistP256], [.modp2048, .nistP256], .modp2048)])
    func dhGroupIsTheRespondersFirstShared(initiator: [DHGroup], responder: [DHGroup], expected: DHGroup) throws {
        let network = try Self.exchange(initiator: Self.settings(initiator), responder: Self.settings(responder))
        #expect(network.association(0, with: 1)?.dhGroup == expected)
        let r1 = try HIPPacket.parse(try #require(network.sent.first { $0.type == .r1 }).bytes)
        #expect(r1.dhGroupList == responder.map(\.rawValue))
        #expect(r1.diffieHellman?.group == expected.rawValue)
        try Agreement.expectMirrored(network, 0, 1)
    }

    /// No shared group: the Responder answers with its first group; the Initiator cannot use it.
    @Test func noSharedDHGroup() throws {
        let network = try Self.exchange(initiator: Self.settings([.nistP256]), responder: Self.settings([.nistP384]))
        #expect(network.peers[0].rejectionReasons == Array(repeating: .unsupportedDHGroup, count: 5))
        #expect(network.peers[0].host.counters.associationsFailed == 1)
    }

    @Test func cipherAndSuiteFollowTheResponderPreference() throws {
        let network = try Self.exchange(
            initiator: Self.settings(ciphers: [.aes128CBC, .aes256CBC], suites: [.aes128CBCSHA256, .aesGCM16]),
            responder: Self.settings(ciphers: [.aes256CBC, .aes128CBC], suites: [.aesGCM16, .aes128CBCSHA256]))
        #expect(network.association(0, with: 1)?.hipCipher == .aes256CBC)
        #expect(network.association(0, with: 1)?.espSuite == .aesGCM16)
        let r1 = try HIPPacket.parse(try #require(network.sent.first { $0.type == .r1 }).bytes)
        #expect(r1.hipCipher == [4, 2] && r1.espTransform == [13, 8] && r1.transportFormatList == [4095])
        let i2 = try HIPPacket.parse(try #require(network.sent.first { $0.type == .i2 }).bytes)
        #expect(i2.hipCipher == [4] && i2.espTransform == [13] && i2.transportFormatList == [4095])
    }

    @Test func defaultOfferIs13_8_9AndNoNull() throws {
        let network = try Self.exchange(initiator: TestHosts.fastSettings(), responder: TestHosts.fastSettings())
        let r1 = try HIPPacket.parse(try #require(network.sent.first { $0.type == .r1 }).bytes)
        #expect(r1.espTransform == [13, 8, 9])
        #expect(r1.hipCipher == [2, 4])
        #expect(r1.hitSuiteList == [0x20, 0x10, 0x50])
        let i1 = try HIPPacket.parse(try #require(network.sent.first { $0.type == .i1 }).bytes)
        #expect(i1.dhGroupList == [7])
        #expect(HostSettings().dhGroups.map(\.rawValue) == [7, 8, 4, 11, 3])
    }

    @Test func noCommonCipher() throws {
        var initiator = Self.settings(ciphers: [.null])
        initiator.allowsNullHIPCipher = true
        let network = try Self.exchange(initiator: initiator, responder: Self.settings())
        #expect(Set(network.peers[0].rejectionReasons) == [.noCommonHIPCipher])
    }

    /// Authentication-only ESP is used only when both policies allow it.
    @Test func authenticationOnlyESPNeedsPolicy() throws {
        let refused = try Self.exchange(initiator: Self.settings(), responder: Self.settings(suites: [.nullSHA256]))
        #expect(Set(refused.peers[0].rejectionReasons) == [.noCommonESPSuite])
        // Allowed by the Initiator, but the Responder prefers a real cipher.
        let preferred = try Self.exchange(initiator: Self.settings(suites: [.nullSHA256, .aes128CBCSHA256]),
                                          responder: Self.settings())
        #expect(preferred.association(0, with: 1)?.espSuite == .aes128CBCSHA256)
        let both = try Self.exchange(initiator: Self.settings(suites: [.nullSHA256]), responder: Self.settings(suites: [.nullSHA256]))
        #expect(both.association(0, with: 1)?.espSuite == .nullSHA256)
    }

    /// The Initiator's HIT suite must be in the R1's HIT_SUITE_LIST (RFC 7401 §6.8 step 6).
    @Test func unsupportedHITSuite() throws {
        var responder = TestHosts.fastSettings()
        responder.hitSuites = [.ecdsaSHA384]
        let network = try Self.exchange(initiator: TestHosts.fastSettings(), responder: responder,
                                        kinds: (.rsa2048, .ecdsaP256))
        #expect(Set(network.peers[0].rejectionReasons) == [.unsupportedHITSuite])
        let r1 = try HIPPacket.parse(try #require(network.sent.first { $0.type == .r1 }).bytes)
        #expect(r1.hitSuiteList == [0x20])
    }

    @Test func responderPolicyBlocksI1() throws {
        let allowedElsewhere = AllowedPeers([try TestIdentities.identity(.ecdsaP256, 7).hit])
        let network = try Self.exchange(initiator: TestHosts.fastSettings(), responder: TestHosts.fastSettings(),
                                        policy: allowedElsewhere)
        #expect(Set(network.peers[1].rejectionReasons) == [.blockedByPolicy])
        #expect(network.sentTypes(from: 1).isEmpty)
        #expect(network.association(1, with: 0) == nil)
    }

    @Test func initiatorPolicyBlocksOutboundData() throws {
        let (host, spis) = try TestHosts.make(try TestIdentities.identity(.ecdsaP256, 0), seed: 1, policy: AllowedPeers([]))
        var network = TestNetwork([(host, spis), try TestHosts.make(try TestIdentities.identity(.ecdsaP256, 1), seed: 2)])
        network.connect(0, to: 1)
        #expect(network.queue.isEmpty && network.association(0, with: 1) == nil)
        guard case .failed(_, .blockedByPolicy)? = network.peers[0].reports.first else {
            Issue.record("\(network.peers[0].reports)")
            return
        }
    }

    @Test(arguments: [true, false])
    func opportunisticI1(accepted: Bool) throws {
        var settings = TestHosts.fastSettings()
        settings.acceptsOpportunisticI1 = accepted
        let initiator = try TestIdentities.identity(.ecdsaP256, 0)
        var network = TestNetwork([try TestHosts.make(initiator, seed: 1),
                                   try TestHosts.make(try TestIdentities.identity(.ecdsaP256, 1), settings: settings, seed: 2)])
        let i1 = HIPPacket(type: .i1, senderHIT: initiator.hit, receiverHIT: .null, parameters: [.dhGroupList([7])])
        network.handle(.packet(bytes: i1.serialize(), source: network.endpoint(0), destination: network.peers[1].address), at: 1)
        if accepted {
            let r1 = try HIPPacket.parse(try #require(network.queue.first).bytes)
            #expect(r1.type == .r1 && r1.receiverHIT == initiator.hit && r1.senderHIT == network.peers[1].host.localHIT)
        } else {
            #expect(network.queue.isEmpty && network.peers[1].rejectionReasons == [.notForUs])
        }
    }

    @Test func rawChecksumIsVerifiedAndUDPChecksumIgnored() throws {
        let (small, great) = try TestIdentities.pair(.ecdsaP256)
        for transport in [Transport.raw, .udp(port: 10500)] {
            var network = TestNetwork([try TestHosts.make(small, seed: 1), try TestHosts.make(great, seed: 2)],
                                      transport: transport)
            var corrupted = false
            network.intercept = { datagram in
                guard !corrupted else { return [datagram] }
                corrupted = true
                var copy = datagram
                copy.bytes[5] ^= 0x40
                return [copy]
            }
            network.connect(0, to: 1)
            network.deliverAll()
            if case .raw = transport {
                #expect(network.peers[1].rejectionReasons == [.badChecksum])
                #expect(network.association(0, with: 1)?.state == .i1Sent)
            } else {
                #expect(network.peers[1].rejections.isEmpty)
                #expect(network.association(0, with: 1)?.state == .established)
            }
        }
    }

    @Test func localAddressChangeRetransmitsAtOnce() throws {
        let (small, great) = try TestIdentities.pair(.ecdsaP256)
        var network = TestNetwork([try TestHosts.make(small, seed: 1), try TestHosts.make(great, seed: 2)])
        network.intercept = { _ in [] }
        network.connect(0, to: 1)
        network.handle(.localAddressesChanged([try #require(IPAddress("198.18.0.9"))]), at: 0)
        #expect(network.sent.map(\.type) == [.i1, .i1] && network.sent[1].isRetransmission)
    }

    @Test func invalidSettingsAreRefused() throws {
        let identity = try TestIdentities.identity(.ecdsaP256, 0)
        var cases: [HostSettings] = []
        var s = HostSettings(); s.hipCiphers = [.null]; cases.append(s)
        s = HostSettings(); s.espSuites = [.nullSHA256]; cases.append(s)
        s = HostSettings(); s.dhGroups = []; cases.append(s)
        s = HostSettings(); s.dhGroups = [.nistP256, .nistP256]; cases.append(s)
        s = HostSettings(); s.hitSuites = [.rsaSHA256]; cases.append(s)       // not our own suite
        s = HostSettings(); s.puzzleDifficulty = 30; cases.append(s)
        s = HostSettings(); s.i1Retransmission.maximumRetries = -1; cases.append(s)
        for settings in cases {
            #expect(throws: HIPCoreError.self) {
                _ = try HIPHost(identity: identity, settings: settings, policy: AllowedPeers.anyone, now: .zero)
            }
        }
        do {
            _ = try HIPHost(identity: identity, settings: cases[0], policy: AllowedPeers.anyone, now: .zero)
        } catch {
            #expect(error.isInvalidSettings && "\(error)".contains("allowsNullHIPCipher"))
        }
    }
}

/// I2 forms other implementations may send, which the Responder accepts (RFC 7401 §5.3.3, §6.9): the
/// HOST_ID in the clear although a real cipher was chosen, and no R1_COUNTER (the generation is then found
/// from the PUZZLE Opaque). Re-MACed with the Initiator's keys and re-signed with its identity.
@Suite struct AcceptedI2FormTests {
    @Test(arguments: ["plain HOST_ID", "no R1_COUNTER"])
    func responderAccepts(_ variant: String) throws {
        let (small, great) = try TestIdentities.pair(.ecdsaP256)
        var network = TestNetwork([try TestHosts.make(small, seed: 1), try TestHosts.make(great, seed: 2)])
        let i2 = try network.holdI2()
        var packet = try i2.unsealedPacket()
        #expect(packet.r1Counter == 1 && packet.has(ParameterType.encrypted))
        if variant == "plain HOST_ID" {
            packet.parameters.removeAll { $0.type == ParameterType.encrypted }
            packet.parameters.append(.hostID(HostID(algorithm: 7, hostIdentity: small.publicIdentity.hostIdentity)))
        } else {
            packet.parameters.removeAll { $0.type == ParameterType.r1Counter }
        }
        network.deliver(try i2.resealed(packet, identity: small))
        network.deliverAll()
        #expect(network.peers[1].rejections.isEmpty)
        #expect(network.association(0, with: 1)?.state == .established)
        try Agreement.expectMirrored(network, 0, 1)
    }
}
