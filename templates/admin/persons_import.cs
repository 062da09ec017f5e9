<?cs # persons_import.cs: the CSV upload form for persons and, after an import, the per-row report. ?><?cs include:"admin/header.cs" ?>
<h1>Import persons</h1>
<?cs if:Import.done ?>
<p id="import-summary"><?cs var:Import.added ?> added, <?cs var:Import.rejected ?> rejected.</p>
<table class="list import-report">
  <thead><tr><th>Line</th><th>E-mail</th><th>Result</th></tr></thead>
  <tbody>
  <?cs each:r = Rows ?><tr class="<?cs if:r.rejected ?>rejected<?cs else ?>added<?cs /if ?>"><td><?cs var:r.line ?></td><td><?cs var:r.email ?></td><td><?cs var:r.result ?></td></tr>
  <?cs /each ?>
  </tbody>
</table>
<p><a href="/admin/persons">Back to the persons</a></p>
<?cs /if ?>
<form class="import" method="post" action="/admin/persons/import" enctype="multipart/form-data">
  <input type="hidden" name="csrf" value="<?cs var:Session.csrf ?>">
  <div class="field<?cs if:Errors.file ?> has-error<?cs /if ?>">
    <label for="file">CSV file</label>
    <input id="file" name="file" type="file" accept=".csv,text/csv">
    <p class="small">First line: email,first_name,last_name,principal_name,organisation,department (as the export writes it).
    At most 10,000 rows and 1 MiB. Each row is checked on its own; the rows that pass are added together.</p>
    <?cs if:Errors.file ?><p class="error-text"><?cs var:Errors.file ?></p><?cs /if ?>
  </div>
  <div class="buttons"><button type="submit" class="primary">Import</button></div>
</form>
<?cs include:"admin/footer.cs" ?>
