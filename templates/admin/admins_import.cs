<?cs # admins_import.cs: the CSV upload form for administrators and, after an import, the per-row report. ?><?cs include:"admin/header.cs" ?>
<h1>Import administrators</h1>
<?cs if:Import.done ?>
<p id="import-summary"><?cs var:Import.added ?> added, <?cs var:Import.rejected ?> rejected.</p>
<table class="list import-report">
  <thead><tr><th>Line</th><th>Principal</th><th>Result</th></tr></thead>
  <tbody>
  <?cs each:r = Rows ?><tr class="<?cs if:r.rejected ?>rejected<?cs else ?>added<?cs /if ?>"><td><?cs var:r.line ?></td><td><?cs var:r.principal ?></td><td><?cs var:r.result ?></td></tr>
  <?cs /each ?>
  </tbody>
</table>
<p><a href="/admin/admins">Back to the administrators</a></p>
<?cs /if ?>
<form class="import" method="post" action="/admin/admins/import" enctype="multipart/form-data">
  <input type="hidden" name="csrf" value="<?cs var:Session.csrf ?>">
  <div class="field<?cs if:Errors.file ?> has-error<?cs /if ?>">
    <label for="file">CSV file</label>
    <input id="file" name="file" type="file" accept=".csv,text/csv">
    <p class="small">First line: principal,name,email,role,cert_types,scope (as the export writes it).
    role is mrao, rao or drao; cert_types lists ssl, client, codesign separated by commas; scope is empty
    for an MRAO, the organisation's name for an RAO, Organisation/Department for a DRAO.
    At most 1,000 rows and 1 MiB. Each row is checked as the New administrator form checks it and added on
    its own; a principal that is already an administrator is rejected, never changed.</p>
    <?cs if:Errors.file ?><p class="error-text"><?cs var:Errors.file ?></p><?cs /if ?>
  </div>
  <div class="buttons"><button type="submit" class="primary">Import</button></div>
</form>
<?cs include:"admin/footer.cs" ?>
