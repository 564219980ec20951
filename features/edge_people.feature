Feature: Sales actions on people at the edges
  A lead converted to a contact before SIA heard of it (both IDs in Marketo), a contact
  with a non-ASCII name, a person with no email: every log and sync still finds the right
  Salesforce record, and the contact wins over a converted lead.

  Background:
    Given the data set "people-edges" in Salesforce and Marketo
    And the admin has started the data sync

  @A-TO-SALESFORCE @A-TASK-SHAPE
  Scenario: A converted lead's emails and calls are logged on its contact
    When a seller sends the sales email "Quarterly review" to "Connie.Converted+sales@ACME.example"
    And a seller records a reply to that email
    And a seller logs a completed call of 60 seconds with "Connie.Converted+sales@ACME.example"
    Then Salesforce has exactly 1 Task of type "Email" on the contact "Connie.Converted+sales@ACME.example"
    And Salesforce has exactly 1 Task of type "Reply" on the contact "Connie.Converted+sales@ACME.example"
    And Salesforce has exactly 1 Task of type "Call" on the contact "Connie.Converted+sales@ACME.example"
    And Salesforce has no Task on the lead "Connie.Converted+sales@ACME.example"

  @U-SF-TWO-WAY
  Scenario: A converted lead's unsubscribe goes to its contact
    Given the setting "unsubscribe_sync" is on
    When "Connie.Converted+sales@ACME.example" unsubscribes in SIA
    Then the Salesforce contact "Connie.Converted+sales@ACME.example" has opted out of email

  @T-TWO-WAY
  Scenario: A converted lead's reminder tasks go to its contact
    Given the setting "task_sync" is on
    When a seller creates the reminder task "Onboarding call" for "Connie.Converted+sales@ACME.example"
    Then Salesforce has a Task "Onboarding call" on the contact "Connie.Converted+sales@ACME.example" with status "Not Started"

  @A-TASK-SHAPE
  Scenario: A subject template fills in a name in any script
    Given the setting "call_subject_template" is "{subject} · {name} · {company}"
    When a seller logs a completed call of 60 seconds with "zoe.oster@globex.example"
    Then Salesforce has these Tasks on the contact "zoe.oster@globex.example":
      | Type | Subject                                           |
      | Call | Discovery call · Zoë Øster-Ñúñez 王 · Globex Ibérica |

  @A-TO-MARKETO @A-TO-SALESFORCE
  Scenario: A person without an email still gets their calls logged
    When a seller logs a completed call of 60 seconds with "Nils Noemail"
    Then Marketo has exactly 1 "Sales Call Received" activity for "Nils Noemail"
    And Salesforce has exactly 1 Task of type "Call" on the lead "Nils Noemail"
