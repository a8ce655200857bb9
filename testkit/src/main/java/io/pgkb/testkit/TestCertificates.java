package io.pgkb.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A throwaway certificate authority and a server certificate for {@code localhost} / {@code 127.0.0.1} signed by
 * it, as PEM files in one directory: what an operator's PKI would hand to PostgreSQL ({@code ssl_cert_file},
 * {@code ssl_key_file}), to a Kafka broker ({@code ssl.keystore.type=PEM}) and to clients ({@code sslrootcert},
 * {@code ssl.truststore.type=PEM}). Made in-process with BouncyCastle (optional dependency of the testkit: a module
 * that uses this class adds {@code org.bouncycastle:bcpkix-jdk18on} in test scope).
 */
public final class TestCertificates {
    private static final Duration VALIDITY = Duration.ofDays(2);

    private final Path directory;

    private TestCertificates(Path directory) {
        this.directory = directory;
    }

    /** Makes a new CA and a server certificate signed by it in {@code directory} (created when missing). */
    public static TestCertificates create(Path directory) {
        try {
            Files.createDirectories(directory);
            KeyPair caKeys = rsaKeys();
            X500Name caName = new X500Name("CN=pgkb throwaway test CA " + Long.toHexString(System.nanoTime()));
            X509v3CertificateBuilder ca = builder(caName, caName, caKeys);
            ca.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
            ca.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
            X509CertificateHolder caCert = sign(ca, caKeys.getPrivate());

            KeyPair serverKeys = rsaKeys();
            X509v3CertificateBuilder server = builder(caName, new X500Name("CN=localhost"), serverKeys);
            JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
            server.addExtension(Extension.authorityKeyIdentifier, false, ext.createAuthorityKeyIdentifier(caCert));
            server.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
            server.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment));
            server.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
            server.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[] {
                    new GeneralName(GeneralName.dNSName, "localhost"), new GeneralName(GeneralName.iPAddress, "127.0.0.1")}));
            X509CertificateHolder serverCert = sign(server, caKeys.getPrivate());

            TestCertificates certs = new TestCertificates(directory);
            String caPem = pem("CERTIFICATE", caCert.getEncoded());
            String chainPem = pem("CERTIFICATE", serverCert.getEncoded()) + caPem;
            String keyPem = pem("PRIVATE KEY", serverKeys.getPrivate().getEncoded());
            write(certs.caCertificate(), caPem);
            write(certs.serverCertificateChain(), chainPem);
            write(certs.serverKey(), keyPem);
            write(certs.serverKeyAndChain(), keyPem + chainPem);
            return certs;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write test certificates to " + directory, e);
        } catch (GeneralSecurityException | OperatorCreationException e) {
            throw new IllegalStateException("cannot make test certificates: " + e, e);
        }
    }

    public Path directory() {
        return directory;
    }

    /** The CA certificate clients trust: {@code sslrootcert=…}, {@code ssl.truststore.location=…} with type PEM. */
    public Path caCertificate() {
        return directory.resolve("ca.pem");
    }

    /** The server certificate followed by the CA's ({@code ssl_cert_file}). */
    public Path serverCertificateChain() {
        return directory.resolve("server.crt");
    }

    /** The server's unencrypted PKCS#8 private key, mode 0600 ({@code ssl_key_file}). */
    public Path serverKey() {
        return directory.resolve("server.key");
    }

    /** Key and certificate chain in one PEM file, mode 0600 (Kafka: {@code ssl.keystore.type=PEM}, {@code ssl.keystore.location}). */
    public Path serverKeyAndChain() {
        return directory.resolve("server-key-and-chain.pem");
    }

    private static KeyPair rsaKeys() throws GeneralSecurityException {
        KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
        g.initialize(2048);
        return g.generateKeyPair();
    }

    private static X509v3CertificateBuilder builder(X500Name issuer, X500Name subject, KeyPair keys) throws GeneralSecurityException {
        Instant now = Instant.now();
        X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(issuer, new BigInteger(64, new SecureRandom()),
                Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(VALIDITY)), subject, keys.getPublic());
        try {
            b.addExtension(Extension.subjectKeyIdentifier, false, new JcaX509ExtensionUtils().createSubjectKeyIdentifier(keys.getPublic()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return b;
    }

    private static X509CertificateHolder sign(X509v3CertificateBuilder b, PrivateKey key) throws OperatorCreationException {
        return b.build(new JcaContentSignerBuilder("SHA256withRSA").build(key));
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }

    private static void write(Path file, String text) throws IOException {
        Files.deleteIfExists(file);
        Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(file, text, StandardCharsets.US_ASCII);
    }
}
