<?cs # cert_view.cs: one certificate: the stored row, the parsed certificate, its chain and downloads. ?><?cs include:"admin/header.cs" ?>
<h1>Certificate <?cs if:Cert.cn ?><?cs var:Cert.cn ?><?cs else ?><?cs var:Row.serial_hex ?><?cs /if ?></h1>
<p class="downloads">Download:
  <a href="/admin/certificates/<?cs var:Row.id ?>/download?format=pem">PEM</a> ·
  <a href="/admin/certificates/<?cs var:Row.id ?>/download?format=chain">PEM with chain</a> ·
  <a href="/admin/certificates/<?cs var:Row.id ?>/download?format=der">DER</a> ·
  <a href="/admin/certificates/<?cs var:Row.id ?>/download?format=p7b">PKCS#7 with chain</a>
</p>
<section>
  <h2>Record</h2>
  <dl>
    <dt>Status</dt><dd class="status-<?cs var:Row.status ?>"><?cs var:Row.status ?></dd>
    <dt>Type</dt><dd><?cs var:Row.cert_type ?></dd>
    <dt>Profile</dt><dd><?cs var:Row.profile ?></dd>
    <dt>Organisation</dt><dd><?cs if:Row.org_name ?><?cs var:Row.org_name ?><?cs else ?><em>none</em><?cs /if ?></dd>
    <dt>Requested by</dt><dd><?cs var:Row.requested_by ?></dd>
    <?cs if:Row.approved_by ?><dt>Approved by</dt><dd><?cs var:Row.approved_by ?></dd><?cs /if ?>
    <dt>Created (UTC)</dt><dd><?cs var:Row.created_at ?></dd>
    <?cs if:Row.revoked_at ?><dt>Revoked (UTC)</dt><dd><?cs var:Row.revoked_at ?></dd><?cs /if ?>
  </dl>
</section>
<?cs if:Cert.unreadable ?>
<p class="bad">The stored certificate could not be parsed.</p>
<?cs else ?>
<section>
  <h2>Certificate</h2>
  <dl>
    <dt>Serial number</dt><dd class="mono"><?cs var:Cert.serial ?></dd>
    <dt>Subject</dt><dd><?cs var:Cert.subject ?></dd>
    <dt>Issuer</dt><dd><?cs var:Cert.issuer ?></dd>
    <dt>Valid from (UTC)</dt><dd><?cs var:Cert.not_before ?></dd>
    <dt>Valid until (UTC)</dt><dd><?cs var:Cert.not_after ?></dd>
    <dt>Subject alternative names</dt><dd><?cs if:subcount(Cert.sans) ?><ul class="sans"><?cs each:s = Cert.sans ?><li><?cs var:s ?></li><?cs /each ?></ul><?cs else ?><em>none</em><?cs /if ?></dd>
    <?cs if:Cert.email ?><dt>E-mail</dt><dd><?cs var:Cert.email ?></dd><?cs /if ?>
    <dt>Key</dt><dd><?cs var:Cert.key_type ?> <?cs var:Cert.key_curve ?> <?cs var:Cert.key_bits ?> bits</dd>
    <dt>Key usage</dt><dd><?cs each:k = Cert.key_usage ?><?cs var:k ?> <?cs /each ?></dd>
    <dt>Extended key usage</dt><dd><?cs each:e = Cert.ekus ?><?cs var:e ?> <?cs /each ?></dd>
    <dt>Signature algorithm</dt><dd><?cs var:Cert.sig_alg ?></dd>
    <dt>SHA-256 fingerprint</dt><dd class="mono fingerprint"><?cs var:Cert.sha256 ?></dd>
  </dl>
</section>
<section>
  <h2>Chain</h2>
  <?cs if:subcount(Chain) ?>
  <ol class="chain">
    <?cs each:ca = Chain ?><li><?cs var:ca.subject ?><br><span class="small">until <?cs var:ca.not_after ?> · SHA-256 <span class="mono"><?cs var:ca.sha256 ?></span></span></li>
    <?cs /each ?>
  </ol>
  <?cs else ?><p><em>The issuing CA is not in the database.</em></p><?cs /if ?>
</section>
<?cs /if ?>
<?cs include:"admin/footer.cs" ?>
