<?cs # recovery_alarm.cs: the MRAO's alarm for certificates recovered from the signer's journal, and the banner after acknowledging it; included by home.cs and dashboard.cs. ?><?cs if:Alarm.acknowledged ?>
<div class="banner-success" role="status" id="recovery-acknowledged">
  <h2>Alarm acknowledged</h2>
  <p><?cs if:Alarm.acknowledged == 1 ?>1 recovered certificate was<?cs else ?><?cs var:Alarm.acknowledged ?> recovered certificates were<?cs /if ?> acknowledged. The audit log records that you did.</p>
</div>
<?cs /if ?><?cs if:Alarm.recovered.count ?>
<div class="banner-alarm" role="alert" id="recovery-alarm">
  <h2><?cs var:Alarm.recovered.count ?> certificate<?cs if:Alarm.recovered.count != 1 ?>s were<?cs else ?> was<?cs /if ?> issued by the signer without a database record (recovered on <?cs if:Alarm.recovered.first == Alarm.recovered.last ?><?cs var:Alarm.recovered.last ?><?cs else ?><?cs var:Alarm.recovered.first ?> to <?cs var:Alarm.recovered.last ?><?cs /if ?>)</h2>
  <p>The reconciliation with the signer's journal (<code>certmint journal check</code>) found them and added them to the certificate list. An issuance cut off by a crash leaves such a certificate; one that nobody here asked for means that something other than certmint's programs asked the signer. Look at each; revoke any you do not recognise.</p>
  <ul>
    <?cs each:x = Alarm.recovered.certs ?><li><a href="/admin/certificates/<?cs var:x.id ?>"><?cs var:x.name ?></a> <span class="mono">serial <?cs var:x.serial ?></span></li>
    <?cs /each ?><?cs if:Alarm.recovered.more ?><li>and <?cs var:Alarm.recovered.more ?> more</li><?cs /if ?>
  </ul>
  <form method="post" action="/admin/certificates/recovered/acknowledge">
    <input type="hidden" name="csrf" value="<?cs var:Session.csrf ?>">
    <button type="submit" class="secondary">Acknowledge: I have looked at these certificates</button>
  </form>
</div>
<?cs /if ?>
