// Key files: PEM round trips, permissions, O_EXCL, and each distinct load error.
import Foundation
import Synchronization
import HIPCrypto
import HIPWire
import Testing

@Suite struct KeyFileTests {
    /// A fresh private directory removed when the test ends.
    final class Scratch {
        let directory: String

        init() throws {
            directory = FileManager.default.temporaryDirectory
                .appendingPathComponent("synaptic-keyfile-\(UUID().uuidString)").path
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: false)
        }

        deinit { try? FileManager.default.removeItem(atPath: directory) }

        func path(_ name: String) -> String { directory + "/" + name }

        /// Writes `text` to `name` with `mode` and returns the path.
        func write(_ name: String, _ text: String, mode: Int = 0o600) throws -> String {
            let path = path(name)
            #expect(FileManager.default.createFile(atPath: path, contents: Data(text.utf8),
                                                   attributes: [.posixPermissions: mode]))
            try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: path)
            return path
        }
    }

    static func loadError(_ path: String) -> CryptoError? {
        do {
            _ = try HostIdentity.load(path: path)
            return nil
        } catch {
            return error
        }
    }

    @Test(arguments: HostIdentityKind.allCases)
    func saveAndLoadRoundTrip(kind: HostIdentityKind) throws {
        let scratch = try Scratch()
        let identity = try HostIdentity.generate(kind)
        let path = scratch.path("host.key")
        try identity.save(path: path)
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(text.hasPrefix("-----BEGIN PRIVATE KEY-----\n"))
        let loaded = try HostIdentity.load(path: path)
        #expect(loaded.kind == kind)
        #expect(loaded.hit == identity.hit)
        #expect(loaded.publicIdentity == identity.publicIdentity)
        let signature = try loaded.sign([1, 2, 3])
        #expect(identity.publicIdentity.verify(signature: signature, over: [1, 2, 3]))
    }

    /// An OpenSSL-generated P-256 key in PKCS#8 and in traditional "EC PRIVATE KEY" form loads, and its HIT
    /// equals the one computed independently (Python `cryptography` + hashlib) from the same PEM.
    @Test func externallyGeneratedKeyLoadsWithKnownHIT() throws {
        let scratch = try Scratch()
        for (name, pem) in [("pkcs8.pem", Fixtures.p256PKCS8), ("traditional.pem", Fixtures.p256Traditional)] {
            let identity = try HostIdentity.load(path: try scratch.write(name, pem))
            #expect(identity.kind == .ecdsaP256)
            #expect(identity.hit == HIT("2001:22:9932:ff1c:f042:e7d:4716:4827"))
            #expect(IPAddress.v4(LSI.forHIT(identity.hit)).description == "1.22.72.39")
        }
    }

    @Test(arguments: [0o644, 0o640, 0o604, 0o660, 0o606, 0o610, 0o601])
    func groupOrOtherPermissionsAreRefused(mode: Int) throws {
        let scratch = try Scratch()
        let path = try scratch.write("open.pem", Fixtures.p256PKCS8, mode: mode)
        let error = try #require(Self.loadError(path))
        #expect(error.code == .keyFileTooOpen)
        #expect(error.description.contains(path))
        #expect(error.description.contains("0" + String(mode, radix: 8)))
    }

    /// A key file (mode 0600) owned by another user is refused, as the keylog is (needs root to chown).
    @Test(.enabled(if: geteuid() == 0)) func anotherUsersKeyFileIsRefused() throws {
        let scratch = try Scratch()
        let path = try scratch.write("theirs.pem", Fixtures.p256PKCS8, mode: 0o600)
        #expect(chown(path, 65534, 65534) == 0)
        let error = try #require(Self.loadError(path))
        #expect(error.code == .keyFileNotOwned)
        #expect(error.description.contains(path) && error.description.contains("uid 65534"))
    }

    @Test(arguments: [0o600, 0o400])
    func ownerOnlyPermissionsAreAccepted(mode: Int) throws {
        let scratch = try Scratch()
        let path = try scratch.write("ok.pem", Fixtures.p256PKCS8, mode: mode)
        #expect(try HostIdentity.load(path: path).kind == .ecdsaP256)
    }

    @Test func saveRefusesToOverwrite() throws {
        let scratch = try Scratch()
        let path = try scratch.write("existing.pem", "keep me")
        let identity = try HostIdentity.generate(.ecdsaP256)
        do {
            try identity.save(path: path)
            Issue.record("overwrote an existing file")
        } catch {
            #expect(error.code == .keyFileExists)
            #expect(error.description.contains(path))
        }
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "keep me")
        do {
            try identity.save(path: scratch.path("missing-directory/host.key"))
            Issue.record("saved into a missing directory")
        } catch {
            #expect(error.code == .keyFileWriteFailed)
        }
    }

    @Test func distinctErrorsForMissingUnreadableMalformedAndUnsupported() throws {
        let scratch = try Scratch()
        #expect(Self.loadError(scratch.path("absent.pem"))?.code == .keyFileMissing)
        #expect(Self.loadError(scratch.directory)?.code == .keyFileUnreadable)          // a directory
        let file = try scratch.write("file.pem", Fixtures.p256PKCS8)
        #expect(Self.loadError(file + "/x")?.code == .keyFileUnreadable)                 // ENOTDIR

        let malformed = [
            ("empty.pem", ""),
            ("garbage.pem", "this is not a key\n"),
            ("truncated.pem", String(Fixtures.p256PKCS8.prefix(90))),
            ("public.pem", Fixtures.publicKeyOnly),
            ("encrypted.pem", Fixtures.encryptedP256),
        ]
        for (name, text) in malformed {
            let error = Self.loadError(try scratch.write(name, text))
            #expect(error?.code == .keyFileMalformed, "\(name): \(String(describing: error))")
        }
        let unsupported = [
            ("x25519.pem", Fixtures.x25519, "X25519"),
            ("secp256k1.pem", Fixtures.secp256k1, "secp256k1"),
            ("rsa1024.pem", Fixtures.rsa1024, "1024"),
        ]
        for (name, text, detail) in unsupported {
            let error = Self.loadError(try scratch.write(name, text))
            #expect(error?.code == .unsupportedKeyType, "\(name): \(String(describing: error))")
            #expect(error?.description.contains(detail) == true, "\(String(describing: error))")
        }
    }

    /// A FIFO at the key path is refused at once as not a regular file; opening it must not wait for a writer.
    @Test func fifoIsRefusedWithoutBlocking() throws {
        let scratch = try Scratch()
        let path = scratch.path("fifo.pem")
        #expect(mkfifo(path, 0o600) == 0)
        let done = DispatchSemaphore(value: 0)
        let result = Mutex<CryptoError?>(nil)
        DispatchQueue.global().async {
            let error = Self.loadError(path)
            result.withLock { $0 = error }
            done.signal()
        }
        if done.wait(timeout: .now() + 3) == .timedOut {
            Issue.record("HostIdentity.load blocked on a FIFO")
            // Release the blocked reader so the test ends.
            let writer = open(path, O_WRONLY | O_NONBLOCK)
            if writer >= 0 { close(writer) }
            done.wait()
        }
        #expect(result.withLock { $0 }?.code == .keyFileUnreadable)
    }

    @Test(.enabled(if: geteuid() != 0, "root can read a mode-0000 file; the directory case covers root"))
    func unreadableFileIsReportedWhenNotRoot() throws {
        let scratch = try Scratch()
        let path = try scratch.write("locked.pem", Fixtures.p256PKCS8, mode: 0o000)
        #expect(Self.loadError(path)?.code == .keyFileUnreadable)
    }
}

/// Key files made with the `openssl` command line (OpenSSL 3.0), so loading is tested on files we did not write.
enum Fixtures {
    static let p256PKCS8 = """
        -----BEGIN PRIVATE KEY-----
        MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgywWTtpd8uUQaM+Rg
        Xik4b4z6hY3iSSbZbLoUN+tpt+2hRANCAARHkFXk/h/ibf6VtUOo2DxtgiGUA5LS
        bLtMtbvDQ/PITJCndKptRFwT29fTQKPHdfAiIN7Az8d2pffWbRVd0jMu
        -----END PRIVATE KEY-----

        """
    static let p256Traditional = """
        -----BEGIN EC PRIVATE KEY-----
        MHcCAQEEIMsFk7aXfLlEGjPkYF4pOG+M+oWN4kkm2Wy6FDfrabftoAoGCCqGSM49
        AwEHoUQDQgAER5BV5P4f4m3+lbVDqNg8bYIhlAOS0my7TLW7w0PzyEyQp3SqbURc
        E9vX00Cjx3XwIiDewM/HdqX31m0VXdIzLg==
        -----END EC PRIVATE KEY-----

        """
    static let publicKeyOnly = """
        -----BEGIN PUBLIC KEY-----
        MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAER5BV5P4f4m3+lbVDqNg8bYIhlAOS
        0my7TLW7w0PzyEyQp3SqbURcE9vX00Cjx3XwIiDewM/HdqX31m0VXdIzLg==
        -----END PUBLIC KEY-----

        """
    static let encryptedP256 = """
        -----BEGIN ENCRYPTED PRIVATE KEY-----
        MIHsMFcGCSqGSIb3DQEFDTBKMCkGCSqGSIb3DQEFDDAcBAiAnZAOMBQHXQICCAAw
        DAYIKoZIhvcNAgkFADAdBglghkgBZQMEAQIEEOQ/y8oLPd9rsvsuE8iujV8EgZCY
        bb06u5QuPFJxxyWnOSBiUQPxQO/JRtBl/3zRIZRIidxkVbnU0dyN+3ujudQnpydi
        8TiGH+ceNBBiYbC8Lz4665GpgRqGZi1MjyJu0b/K3DRuAqLVctk4tbS/E/PMhoeu
        jQYY7O7qiNDNMsAWW56wj7gyXruLBu5ZA4KDTyMU+h8VSq3EKFpt4mFtIfKKdgU=
        -----END ENCRYPTED PRIVATE KEY-----

        """
    static let x25519 = """
        -----BEGIN PRIVATE KEY-----
        MC4CAQAwBQYDK2VuBCIEIBjvRZCJCkn6mHlTI3nfYPXGd/Ude3irpopwJljB7KhS
        -----END PRIVATE KEY-----

        """
    static let secp256k1 = """
        -----BEGIN PRIVATE KEY-----
        MIGEAgEAMBAGByqGSM49AgEGBSuBBAAKBG0wawIBAQQg/VotDpomRmrB1AVONXxZ
        tomLD3XWLBJoclIyC1WhK5ihRANCAARlP+HIVWS060FVUhuukTRMxE8BIY+mf3hW
        Duyh+h752lwYr+GepqaDmxvy4AjP3vVUXQCESKNeL2V7l5Yko9NK
        -----END PRIVATE KEY-----

        """
    static let rsa1024 = """
        -----BEGIN PRIVATE KEY-----
        MIICdQIBADANBgkqhkiG9w0BAQEFAASCAl8wggJbAgEAAoGBANRk0FSjoC6V0ZJL
        nDYU9ry82NAFXAbK0MYX5oEsaLlMC4NoknTePsNpmanqPuELSJOzOSsACBrlOQX0
        g2IihNZEY8iktmk86AmS+o28zSXWteGi+OQY4bvUXH0AapYsW2wSGXKTRvTlOyeO
        XMVNA1QRzHv0VvDEBbtmsztVpQG1AgMBAAECgYAtd/+ZfwX1syEQXptsgIRp10vb
        DKqs0ZJsNgWktasdsAfu894WotVw5BR/aaRYbR/2brHYYMNbbqMMgVH3GkixakcM
        PzYjBz6UvuIlAsFHjJPdgqF3EHFB0FtZ7FNRGzwKcdNTUmaaM/CoSOr1RaU5WvaZ
        kiJPG9WgoVUNXgzQ6QJBAO9ss2cdfTRorct702Tx+GE9mCgaB0NqOq0ir9cZpgCC
        QnlVPYyqVUJB1UXVc4LQVKVrgpALQ+BZBzQVE9Eg6v8CQQDjGQxw5lsz7nsG+h0K
        fDd16yEusP8Hmkci00ltPnJLy6EdUGSnjF+CE+u+vnURWhmol+xZraMR70JSQ2II
        XNdLAkAzB2f1QkO9N9JS3EFh8nCNySL06RdDNxDqdcokfkLzONASLCjCIkupo35h
        M+06pExmNVPOf5gn6NGwOA3RNMLhAkBG+xlMYHO5M5z4fUx+bnzXOnrQoTnVIn+B
        fxDAOHh5AFiHVQ1g4RspCRjyMY1dsw+6BmI1VXRWsrXECJOnkX0pAkB9SVMZsueV
        1IsyV1YTPiJJ/qfNl53ogGK8W/F661PXFZTDJZoSzDXIKz4QOxU4KzZtfC6YO1Hw
        PFMkKGic5lln
        -----END PRIVATE KEY-----

        """
}
