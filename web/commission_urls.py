"""URLs of the commission's pages (namespace `commission`, mounted at the site root by `config.urls`): the
applicant's slot booking under /files/<id>/commission/, the members' sessions under /office/commission/ (the agenda
e-mail links to /office/commission/sessions/<id>/) and the signers' documents under /office/signatures/."""

from django.urls import path

from web.views import commission

app_name = "commission"
urlpatterns = [
    path("files/<int:dossier_id>/booking/", commission.booking_page, name="booking"),
    path("files/<int:dossier_id>/booking/book/", commission.booking_book, name="booking-book"),
    path("files/<int:dossier_id>/booking/cancel/", commission.booking_cancel, name="booking-cancel"),
    path("office/commission/", commission.session_list, name="sessions"),
    path("office/commission/sessions/<int:session_id>/", commission.session_workspace, name="session"),
    path("office/commission/sessions/<int:session_id>/agenda/", commission.agenda_download, name="agenda"),
    path("office/commission/sessions/<int:session_id>/attendance/", commission.attendance, name="attendance"),
    path(
        "office/commission/sessions/<int:session_id>/files/<int:dossier_id>/examination/",
        commission.examination,
        name="examination",
    ),
    path("office/commission/examinations/<int:examination_id>/decide/", commission.decide, name="decide"),
    path("office/commission/documents/<int:output_id>/", commission.output_download, name="output"),
    path("office/signatures/", commission.signatures, name="signatures"),
    path("office/signatures/<int:request_id>/sign/", commission.sign, name="sign"),
]
