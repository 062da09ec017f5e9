<?cs # ad_server_import.cs: the CSV upload form for AD servers and, after an import, what was added or, per row and column, what to correct. ?><?cs include:"admin/header.cs" ?>
<?cs if:Errors.file ?>
<div class="error-summary" role="alert" tabindex="-1">
  <h2>There is a problem</h2>
  <ul><li><a href="#file"><?cs var:Errors.file ?></a></li></ul>
</div>
<?cs /if ?>
<?cs if:Import.done ?><div class="banner-success" role="status" id="banner"><p id="import-summary"><?cs var:Import.added ?> AD server<?cs if:Import.added != 1 ?>s<?cs /if ?> imported.</p></div><?cs /if ?>
<h1>Import AD servers</h1>
<?cs if:subcount(Rows) ?>
<?cs if:Import.rejected ?><p id="import-summary"><?cs var:Import.rejected ?> of <?cs var:Import.checked ?> rows need correcting; nothing was imported.</p><?cs /if ?>
<table class="list import-report">
  <thead><tr><th>Line</th><th>Name</th><th>Result</th></tr></thead>
  <tbody>
  <?cs each:r = Rows ?><tr class="<?cs if:r.rejected ?>rejected<?cs else ?>added<?cs /if ?>"><td><?cs var:r.line ?></td><td><?cs var:r.name ?></td><td><?cs if:r.rejected ?><ul class="row-errors"><?cs each:e = r.errors ?><li><strong><?cs var:e.column ?></strong>: <?cs var:e.message ?></li><?cs /each ?></ul><?cs elif:Import.done ?>added<?cs if:r.password_needed ?> <span class="tag tag-bad">password needed</span><?cs /if ?><?cs else ?>fine<?cs /if ?></td></tr>
  <?cs /each ?>
  </tbody>
</table>
<p><a href="/admin/ad-servers">Back to the AD servers</a></p>
<?cs /if ?>
<form class="import" method="post" action="/admin/ad-servers/import" enctype="multipart/form-data">
  <input type="hidden" name="csrf" value="<?cs var:Session.csrf ?>">
  <div class="field<?cs if:Errors.file ?> has-error<?cs /if ?>">
    <label for="file">CSV file</label>
    <input id="file" name="file" type="file" accept=".csv,text/csv">
    <p class="small">First line: name,domain,ldap_uris,base_dn,users_base_dn,starttls,bind_method,bind_dn,is_default,organisations (as the export writes it).
    At most 500 rows and 1 MiB. Every row is checked as the form checks it; if any row is wrong, nothing is imported.
    The organisations column is for reading only (bind organisations on their own pages). A CSV never carries passwords: simple-bind servers are imported without one and flagged "password needed" until you enter it on the server's page. CA certificates are not part of the CSV either.</p>
    <?cs if:Errors.file ?><p class="error-text"><?cs var:Errors.file ?></p><?cs /if ?>
  </div>
  <div class="buttons"><button type="submit" class="primary">Import</button></div>
</form>
<?cs include:"admin/footer.cs" ?>
