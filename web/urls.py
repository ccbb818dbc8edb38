"""URLs of the web pages: the public parcel map, the public map of authorised projects (/map/), sign-in and the
account pages, the applicant space (/files/) and the back office (/office/). File URLs answer 404 to anyone who may
not see the file."""

from allauth.account import views as allauth_views
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.templatetags.static import static
from django.urls import path

from web.accounts import views as account_views
from web.views import accounts, documents, dossier, history, inspections, mandates, office, outbox, plans, wizard
from web.views.parcel_map import parcel_map
from web.views.public_map import public_map

app_name = "web"


def favicon(request: HttpRequest) -> HttpResponse:
    """Browsers ask /favicon.ico of pages that name no icon (the admin's, Redoc's): our icon, not a 404."""
    return redirect(static("web/favicon.svg"), permanent=True)


urlpatterns = [
    path("favicon.ico", favicon),
    path("", parcel_map, name="parcel-map"),
    path("map/", public_map, name="public-map"),
    # signing in and out, signing up: django-allauth's views (its other pages are under accounts/, config/urls.py);
    # the sign-in names the tour's demo accounts in development
    path("accounts/login/", accounts.SignInView.as_view(), name="login"),
    path("accounts/logout/", allauth_views.logout, name="logout"),
    path("accounts/signup/", allauth_views.signup, name="signup"),
    path("accounts/", accounts.account, name="account"),
    path("accounts/phone/", account_views.phone_change, name="account-phone"),
    path("accounts/export/", account_views.data_export, name="account-export"),
    path("accounts/delete/", account_views.account_delete, name="account-delete"),
    path("accounts/tokens/", accounts.api_tokens, name="account-tokens"),
    path("accounts/tokens/<int:token_id>/revoke/", accounts.api_token_revoke, name="account-token-revoke"),
    path("accounts/tokens/revoke-all/", accounts.api_tokens_revoke_all, name="account-tokens-revoke-all"),
    path("accounts/mandates/", mandates.mandates, name="account-mandates"),
    path(
        "accounts/mandates/<int:mandate_id>/<str:action>/",
        mandates.mandate_action,
        name="account-mandate-action",
    ),
    path("home/", accounts.home, name="home"),
    path("dev/outbox/", outbox.dev_outbox, name="dev-outbox"),  # development only (404 otherwise)
    # the applicant space
    path("files/", dossier.dossier_list, name="dossier-list"),
    path("files/new/", wizard.wizard_procedure, name="wizard-procedure"),
    path("files/<int:dossier_id>/edit/site/", wizard.wizard_site, name="wizard-site"),
    path("files/<int:dossier_id>/edit/project/", wizard.wizard_project, name="wizard-project"),
    path("files/<int:dossier_id>/edit/documents/", wizard.wizard_documents, name="wizard-documents"),
    path("files/<int:dossier_id>/edit/review/", wizard.wizard_review, name="wizard-review"),
    path(
        "files/<int:dossier_id>/edit/review/application.pdf",
        wizard.wizard_application_pdf,
        name="wizard-application-pdf",
    ),
    path("files/<int:dossier_id>/", dossier.dossier_detail, name="dossier-detail"),
    path("files/<int:dossier_id>/history/", history.dossier_history, name="dossier-history"),
    path("files/<int:dossier_id>/clock/", dossier.dossier_clock, name="dossier-clock"),
    path("files/<int:dossier_id>/withdraw/", dossier.dossier_withdraw, name="dossier-withdraw"),
    path(
        "files/<int:dossier_id>/linked/<slug:procedure_code>/",
        dossier.dossier_apply_linked,
        name="dossier-apply-linked",
    ),
    path("files/<int:dossier_id>/documents/", documents.document_upload, name="document-upload"),
    path(
        "files/<int:dossier_id>/documents/<int:document_id>/",
        documents.document_download,
        name="document-download",
    ),
    path("files/<int:dossier_id>/remarks/<int:remark_id>/reply/", dossier.remark_reply, name="remark-reply"),
    path("files/<int:dossier_id>/plans/", plans.plans_applicant, name="plans"),
    path(
        "files/<int:dossier_id>/published/<int:output_id>/",
        documents.published_document_download,
        name="dossier-published-document",
    ),
    # the back office
    path("office/", office.desk_queue, name="office-queue"),
    path("office/opinions/", office.member_queue, name="office-opinions"),
    path("office/architects/", account_views.architects_queue, name="office-architects"),
    path("office/files/<int:dossier_id>/plans/", plans.plans_office, name="office-plans"),
    path("office/files/<int:dossier_id>/plans/compare/", plans.plans_compare, name="office-plans-compare"),
    path("office/architects/<int:user_id>/review/", account_views.architect_review, name="office-architect-review"),
    path("files/<int:dossier_id>/completeness/", office.completeness, name="office-completeness"),
    path("files/<int:dossier_id>/consultations/<int:consultation_id>/opinion/", office.opinion, name="office-opinion"),
    path("files/<int:dossier_id>/remarks/new/", office.remark_issue, name="office-remark-issue"),
    path("files/<int:dossier_id>/remarks/send/", office.remarks_send, name="office-remarks-send"),
    path("files/<int:dossier_id>/remarks/<int:remark_id>/close/", office.remark_close, name="office-remark-close"),
    path("files/<int:dossier_id>/commission/", office.send_to_commission, name="office-commission"),
    path(
        "files/<int:dossier_id>/decide-without-commission/",
        office.decide_without_commission,
        name="office-decide-without-commission",
    ),
    # the site inspection (récolement): the back office's page and actions, the applicant's answers, downloads
    path("files/<int:dossier_id>/inspection/", inspections.inspection_page, name="inspection"),
    path("files/<int:dossier_id>/inspection/propose/", inspections.inspection_propose, name="inspection-propose"),
    path(
        "files/<int:dossier_id>/inspection/<int:inspection_id>/reschedule/",
        inspections.inspection_reschedule,
        name="inspection-reschedule",
    ),
    path(
        "files/<int:dossier_id>/inspection/<int:inspection_id>/cancel/",
        inspections.inspection_cancel,
        name="inspection-cancel",
    ),
    path(
        "files/<int:dossier_id>/inspection/<int:inspection_id>/report/",
        inspections.inspection_report,
        name="inspection-report",
    ),
    path(
        "files/<int:dossier_id>/inspection/<int:inspection_id>/photos/",
        inspections.inspection_photo,
        name="inspection-photo",
    ),
    path(
        "files/<int:dossier_id>/inspection/<int:inspection_id>/confirm/",
        inspections.inspection_confirm,
        name="inspection-confirm",
    ),
    path(
        "files/<int:dossier_id>/inspection/<int:inspection_id>/other-date/",
        inspections.inspection_other_date,
        name="inspection-other-date",
    ),
    path(
        "files/<int:dossier_id>/inspection/<int:inspection_id>/report.pdf",
        inspections.inspection_report_download,
        name="inspection-report-download",
    ),
    path(
        "files/<int:dossier_id>/inspection/<int:inspection_id>/photos/<int:photo_id>/",
        inspections.inspection_photo_download,
        name="inspection-photo-download",
    ),
]
