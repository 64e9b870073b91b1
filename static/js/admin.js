// Knowledge-base upload: reads a chosen .txt/.md file into the form's text
// field, so it is sent (and validated) like pasted text.  Without script
// the picker stays hidden and pasting works as before.
(function () {
  'use strict';
  var MAX = 400000;
  document.querySelectorAll('form[data-file-into]').forEach(function (form) {
    var target = form.querySelector('#' + form.getAttribute('data-file-into'));
    var pick = form.querySelector('.file-pick');
    if (!target || !pick) return;
    pick.hidden = false;
    pick.querySelector('input[type=file]').addEventListener('change', function (ev) {
      var file = ev.target.files[0];
      if (!file) return;
      var reader = new FileReader();
      reader.onload = function () {
        var text = String(reader.result);
        if (text.length > MAX) {
          alert('This file is longer than ' + MAX + ' characters.');
          return;
        }
        target.value = text;
      };
      reader.readAsText(file);
    });
  });
})();
