<?cs # access_code_done.cs: the one page that shows a new access code (answer to the POST, never stored or shown again). ?><?cs include:"admin/header.cs" ?>
<section class="access-code-done">
  <div class="banner-success" role="status">
    <h1>New access code of the <?cs var:Code.noun ?> <?cs var:Code.name ?></h1>
    <p>Copy it now: this is the only time certmint shows it. Only a keyed hash is kept.</p>
  </div>
  <p class="new-access-code"><code id="new-access-code"><?cs var:Code.new ?></code></p>
  <p>Set on <?cs var:Code.set_at ?> UTC; from now on the <?cs var:Code.noun ?>'s page says only that a code is set and its last characters (<?cs var:Code.hint ?>). The previous code no longer works.</p>
  <p><a href="<?cs var:Code.back ?>">Back to the <?cs var:Code.noun ?></a></p>
</section>
<?cs include:"admin/footer.cs" ?>
